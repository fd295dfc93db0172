// The model zoo registry: name → generator of a layer list (see layers.ts). `cnna zoo`
// and the tests go through here.
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import type { ZooModel } from './layers.ts';
import { vgg16 } from './vgg16.ts';
import { vggSmall } from './vgg-small.ts';
import { resnet18 } from './resnet18.ts';
import { mobilenetv2 } from './mobilenetv2.ts';
import { squeezenet } from './squeezenet.ts';
import { allconv } from './allconv.ts';
import { nin } from './nin.ts';

export { buildZooModel, parameterCount, type Layer, type ZooModel } from './layers.ts';

export const zoo: Record<string, () => ZooModel> = {
  vgg16,
  'vgg-small': vggSmall,
  resnet18,
  mobilenetv2,
  squeezenet,
  allconv,
  nin,
};

export function zooModel(name: string): ZooModel {
  const make = zoo[name];
  if (!make) {
    throw new CnnaError('E_USAGE', `unknown zoo model '${name}'`, { hint: `available: ${Object.keys(zoo).join(', ')}` });
  }
  return make();
}
