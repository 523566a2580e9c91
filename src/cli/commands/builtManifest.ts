/**
 * The command list as the build found it (names, usages, summaries, groups, in -h order). Here, in the source, it is
 * undefined: run from the source (tests, tsx) the CLI works it out by loading every group (manifest.ts). esbuild.js
 * replaces this module's text in the built CLI with the list, so -h and the choice of a group load no command.
 */
import type { CliCommandEntry } from './groups';

export const BUILT_MANIFEST: readonly CliCommandEntry[] | undefined = undefined;
