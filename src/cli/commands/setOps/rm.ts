import { setOperationCommand } from './setOperation';

/** qq2clone rm SET */
export const rmCommand = setOperationCommand('rm', 'Destroy (if running), undefine and delete the storage of every machine in SET.');
