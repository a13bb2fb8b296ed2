export { PathorsSimulator } from './pathors-simulator.js';
export type * from './simulator.types.js';
