// Worker entry: TypeScript sources load through tsx, as in bin/cnna.js.
import { register } from 'tsx/esm/api';

register();
await import('./sweep-worker.ts');
