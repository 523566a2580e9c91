import * as vscode from 'vscode';
import type { CommandDefinition } from '../types';

/** The walkthrough's id as VS Code knows it: `<publisher>.<name>#<id in package.json>`. */
export const WALKTHROUGH_ID = 'qq2clone.qq2clone-vscode#firstSteps';

/** Opens the "Get Started with qq2clone" walkthrough (template, clone, start, exec, edit XML). */
export const openWalkthroughCommand: CommandDefinition = {
  id: 'qq2clone.openWalkthrough',
  hosts: 'any',
  run: () => vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false),
};
