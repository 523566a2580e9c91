import { powerCommand } from './power';

/** qq2clone reset SET */
export const resetCommand = powerCommand('reset', 'SET', 'Reset the running machines in SET at once, like a reset button (no shutdown).');
