import type { Inventory } from '../../libvirt/api';
import { prompts } from './prompts';
import { uiSettings } from './settings';

/**
 * The template a palette command works in: the default-template setting when it names an existing template,
 * otherwise a pick (the only template is taken without asking). Undefined when cancelled or there is none.
 */
export async function pickTemplate(inventory: Inventory, title: string): Promise<string | undefined> {
  const names = inventory.templates.map((t) => t.name);
  const fallback = uiSettings().defaultTemplate;
  if (fallback && names.includes(fallback)) return fallback;
  if (names.length === 0) {
    void prompts.notify('warning', 'There are no templates yet: import a machine as a template first.');
    return undefined;
  }
  if (names.length === 1) return names[0];
  const counts = new Map<string, number>();
  for (const c of inventory.clones) counts.set(c.template, (counts.get(c.template) ?? 0) + 1);
  const picked = await prompts.quickPick(
    inventory.templates.map((t) => ({
      label: t.name,
      description: `${counts.get(t.name) ?? 0} clones`,
      ...(t.problem ? { detail: t.problem } : {}),
    })),
    {
      title,
      placeHolder: fallback
        ? `The default template '${fallback}' does not exist; pick one`
        : 'Pick a template (set qq2clone.defaultTemplate to skip this)',
    },
  );
  return picked?.label;
}
