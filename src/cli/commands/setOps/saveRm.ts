import { setOperationCommand } from './setOperation';

/** qq2clone save-rm SET */
export const saveRmCommand = setOperationCommand('save-rm', 'Delete the saved state of every machine in SET.');
