import { setOperationCommand } from './setOperation';

/** qq2clone resume SET */
export const resumeCommand = setOperationCommand('resume', 'Resume every suspended machine in SET.');
