import { setOperationCommand } from './setOperation';

/** qq2clone rm-shred SET */
export const rmShredCommand = setOperationCommand('rm-shred', 'Destroy (if running), undefine, shred and delete the storage of every machine in SET.');
