import { setOperationCommand } from './setOperation';

/** qq2clone rm-wipe SET */
export const rmWipeCommand = setOperationCommand('rm-wipe', 'Destroy (if running), undefine, wipe and delete the storage of every machine in SET.');
