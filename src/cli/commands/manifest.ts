/**
 * Which commands there are and which group defines each: from the build (builtManifest.ts) in the built CLI, else
 * worked out by loading every group. A command is then loaded with its group only.
 */
import type { CliCommand } from './shared/types';
import { BUILT_MANIFEST } from './builtManifest';
import { CLI_GROUPS, commandsOf, type CliCommandEntry, type CliGroupName } from './groups';

/** The commands in -h order with their groups, worked out from the command objects themselves (run by the build too). */
export async function computeCliManifest(): Promise<CliCommandEntry[]> {
  const { CLI_COMMAND_LIST } = await import('./index');
  const groups = await Promise.all(
    (Object.keys(CLI_GROUPS) as CliGroupName[]).map(async (g) => [g, commandsOf(await CLI_GROUPS[g]())] as const),
  );
  return CLI_COMMAND_LIST.map(({ name, usage, summary, sessions }) => {
    const owners = groups.filter(([, cs]) => cs.some((c) => c.name === name)).map(([g]) => g);
    if (owners.length !== 1) throw new Error(`CLI command '${name}' is exported by ${owners.length} command groups (${owners.join(', ')}), not one.`);
    return { name, usage, summary, group: owners[0]!, ...(sessions ? { sessions } : {}) };
  });
}

/** The commands in -h order: what the build recorded, else worked out now. */
export async function cliManifest(): Promise<readonly CliCommandEntry[]> {
  return BUILT_MANIFEST ?? computeCliManifest();
}

/** The command for a word, loading only the group that defines it; undefined when no command has that word. */
export async function loadCliCommand(word: string): Promise<CliCommand | undefined> {
  const entry = (await cliManifest()).find((e) => e.name === word);
  if (!entry) return undefined;
  return commandsOf(await CLI_GROUPS[entry.group]()).find((c) => c.name === word);
}
