import { setOperationCommand } from './setOperation';

/** qq2clone save SET */
export const saveCommand = setOperationCommand('save', 'Save the execution state of every running machine in SET to file.');
