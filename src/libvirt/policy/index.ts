/** Power-off policies: model, bookkeeping, applying them, the action log, and the qemu hook that applies them. */
export * from '../../core/powerOffPolicy';
export { setClonePolicy } from './meta';
export { bareMetaElement, templatePolicyOf, withTemplatePolicy } from '../domain';
export { applyPolicy, applyPolicyOnStop, resetOverlays, whileUnavailable, type ApplyOptions, type StoppedClone } from './apply';
export { serviceTrust, verifyOverlays, type PolicyTrust, type TrustVerdict } from './trust';
export { readTrust, recordTrust, TRUST_FILE } from './trustRecord';
export { appendPolicyLog, latestByClone, parsePolicyLog, readPolicyLogs, type PolicyLogEntry } from './log';
export { HOOK_MARKER, hookScript, shQuote, type HookScriptValues } from './hookScript';
export { hookStatus, installHook, runningDaemon, uninstallHook, type HookStatus, type HookUse } from './install';
export { HOOK_FILE_NAME, hookFile, hookLog, hookPaths, hookServes, userPolicyLog, type HookPaths } from './paths';
