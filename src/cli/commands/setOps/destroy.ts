import { setOperationCommand } from './setOperation';

/** qq2clone destroy SET */
export const destroyCommand = setOperationCommand('destroy', 'Forcibly turn off every running machine in SET.');
