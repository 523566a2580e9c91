import { setOperationCommand } from './setOperation';

/** qq2clone suspend SET */
export const suspendCommand = setOperationCommand('suspend', 'Suspend execution of every machine in SET.');
