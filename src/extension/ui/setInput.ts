import * as vscode from 'vscode';
import { operationAccepts, setBoxPrefill, type AnyOperationName } from '../../core/operations';
import { chooseBySet, parseSet } from '../../core/set';
import type { Inventory } from '../../libvirt/api';
import { prompts } from './prompts';

/**
 * What a SET typed so far means: an error with its column when malformed or naming nothing usable, otherwise
 * which clones it names (shown under the input box as you type).
 */
export function describeSet(
  text: string,
  inventory: Inventory,
  template: string,
  operation?: AnyOperationName,
): vscode.InputBoxValidationMessage {
  const parsed = parseSet(text);
  if (!parsed.ok) {
    const { offset, length, message } = parsed.error;
    const at = length > 1 ? `columns ${offset + 1}-${offset + length}` : `column ${offset + 1}`;
    return { message: `${at}: ${message}`, severity: vscode.InputBoxValidationSeverity.Error };
  }
  try {
    const ofTemplate = inventory.clones.filter((c) => c.template === template);
    const { chosen, skipped } = chooseBySet(parsed.set, ofTemplate, operation && { command: operation, accepts: (c) => operationAccepts(operation, c.state) });
    const ids = chosen.map((c) => c.id).join(',');
    const skip = skipped.length ? `; ${skipped.length} named but not applicable` : '';
    return {
      message: `${chosen.length} clone${chosen.length === 1 ? '' : 's'}: ${ids}${skip}`,
      severity: vscode.InputBoxValidationSeverity.Info,
    };
  } catch (e) {
    return { message: e instanceof Error ? e.message : String(e), severity: vscode.InputBoxValidationSeverity.Error };
  }
}

/** Asks for a SET of `template`'s clones, validating as you type; undefined when cancelled. */
export async function askSet(
  inventory: Inventory,
  template: string,
  title: string,
  operation?: AnyOperationName,
): Promise<string | undefined> {
  const text = await prompts.inputBox({
    title,
    prompt: `A SET of ${template}'s clones: numbers, ranges, states, all; ^ excludes (e.g. 1,3-5 or all,^running)`,
    value: setBoxPrefill(operation),
    valueSelection: [0, setBoxPrefill(operation).length],
    ignoreFocusOut: true,
    validateInput: (t) => {
      const m = describeSet(t, inventory, template, operation);
      return m.severity === vscode.InputBoxValidationSeverity.Error ? m : { ...m };
    },
  });
  return text === undefined ? undefined : text.trim();
}
