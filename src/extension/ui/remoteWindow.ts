/**
 * Where this window is shown compared with where the extension (and so a viewer it starts) runs. Pure: the caller
 * passes vscode.env.remoteName and whether vscode.env.uiKind is UIKind.Web.
 */

/** Why a viewer started by the extension would not be seen by the user; undefined when it would. */
export function unseenViewerReason(remoteName: string | undefined, web: boolean): string | undefined {
  if (web) return 'this window runs in a browser';
  if (remoteName) return `this window is remote (${remoteName})`;
  return undefined;
}

/** The sentence Connect shows instead of starting a viewer nobody sees. */
export function remoteConnectMessage(reason: string, started: number, clones: readonly string[]): string {
  const which = clones.length === 1 ? clones[0]! : `${clones.length} clones`;
  return (
    `Connect: started ${started}; no viewer opened for ${which}: ${reason}, so a SPICE viewer would open on the machine ` +
    'the extension runs on, where you would not see it. Use Show Screen or the serial console here ' +
    '(or set qq2clone.viewerInRemoteWindow to start the viewer there anyway).'
  );
}
