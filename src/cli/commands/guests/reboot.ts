import { powerCommand } from './power';

/** qq2clone reboot SET */
export const rebootCommand = powerCommand('reboot', 'SET', 'Reboot the running machines in SET gracefully (guest agent, else ACPI).');
