// Placeholder until the extension-host suite lands.
export function run(): Promise<void> {
  return Promise.resolve();
}
