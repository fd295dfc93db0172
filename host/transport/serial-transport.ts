// Serial transport (serialport package): a USB-UART to the board, or one end of a socat pty
// pair; 8N1, no flow control.
import { SerialPort } from 'serialport';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import type { Transport } from './transport.ts';

export function openSerial(path: string, baudRate: number): Promise<Transport> {
  const description = `serial ${path} at ${baudRate} baud`;
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    port.open((e) => {
      if (e) {
        reject(new CnnaError('E_LINK', `${description}: cannot open (${e.message})`, { hint: 'check the device path and that you may open it (e.g. the dialout group)' }));
        return;
      }
      let closing = false;
      let closeCb: ((reason: string) => void) | undefined;
      port.on('error', () => {});
      port.on('close', () => { if (!closing) closeCb?.('the serial device closed'); });
      resolve({
        framing: 'serial',
        description,
        write: (b) => { if (port.isOpen) port.write(Buffer.from(b.buffer, b.byteOffset, b.length)); },
        writev: (parts) => { if (port.isOpen) port.write(Buffer.concat(parts)); },
        onData: (cb) => port.on('data', cb),
        onClose: (cb) => { closeCb = cb; },
        close: () => new Promise<void>((done) => {
          closing = true;
          if (!port.isOpen) { done(); return; }
          port.close(() => done());
        }),
      });
    });
  });
}
