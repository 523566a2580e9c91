import { setOperationCommand } from './setOperation';

/** qq2clone start SET */
export const startCommand = setOperationCommand('start', 'Start every machine in SET that is not running; saved machines are restored.');
