import { powerCommand } from './power';

/** qq2clone shutdown SET [--timeout S] [--force] */
export const shutdownCommand = powerCommand(
  'shutdown',
  'SET [--timeout S] [--force]',
  'Shut down the running machines in SET (guest agent, else ACPI) and wait up to S s (60); --force: force off those still running.',
);
