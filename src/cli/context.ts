/**
 * What every CLI command gets: the parsed options, the settings, output that honours -q/-Q/-v, and the service
 * (made on first use, disposed by the caller).
 */
import { connectionOf, type CliOptions } from './args';
import type { CliConfig } from './config';
import type { CloneInfo, Inventory, LibvirtService, ServiceConfig } from '../libvirt/api';
import { UsageError } from '../core/errors';
import { assertName } from '../core/names';
import { chooseBySet, parseSetOrThrow, type ParsedSet, type ResolveOptions } from '../core/set';

export interface CliIo {
  readonly stdout: (text: string) => void;
  /** Bytes as they are (cat); absent: stdout gets them as UTF-8 text. */
  readonly stdoutBytes?: (bytes: Uint8Array) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly stdinIsTTY: boolean;
  /** stdout is a terminal (top redraws its table there). */
  readonly stdoutIsTTY?: boolean;
  /** Asks one question on the terminal and resolves with the answer line (absent: the CLI never asks). */
  readonly ask?: (question: string, signal: AbortSignal) => Promise<string>;
}

/** How much to print: -Q silences everything but commands whose output is their purpose; -q silences chatter. */
export class Output {
  constructor(
    private readonly io: CliIo,
    /** Chatter ("Created ...") is shown. */
    private readonly verbose: boolean,
    /** Results and errors are shown (false only under -Q for commands whose output is not their purpose). */
    private readonly speaks: boolean,
  ) {}

  /** Progress and confirmations; suppressed by -q, QUIET=1 and -Q. */
  info(line: string): void {
    if (this.verbose && this.speaks) this.io.stdout(`${line}\n`);
  }

  /** What the command is for (a listing, a document). */
  result(text: string): void {
    if (this.speaks) this.io.stdout(text.endsWith('\n') || text === '' ? text : `${text}\n`);
  }

  /** A warning or an error, on stderr as `qq2clone: message`. */
  error(message: string): void {
    if (this.speaks) this.io.stderr(`qq2clone: ${message}\n`);
  }
}

export class CliContext {
  private made?: LibvirtService;
  /** The process's exit status when the command succeeds (ssh passes on the status of ssh). */
  exitStatus = 0;

  constructor(
    readonly options: CliOptions,
    readonly config: CliConfig,
    readonly home: string,
    readonly out: Output,
    readonly io: CliIo,
    readonly signal: AbortSignal,
    private readonly makeService: (config: ServiceConfig) => LibvirtService,
  ) {}

  /** -q / QUIET=1 (-v overrides): less output, and no questions (manual: -q suppresses prompts). */
  get quiet(): boolean {
    return this.options.quiet ?? this.config.QUIET === '1';
  }

  /**
   * May the command ask the user? Only on a terminal, and not when quiet: then each command makes its safe default
   * choice or exits with an error saying how to do without the question.
   */
  get canAsk(): boolean {
    return this.io.stdinIsTTY && this.io.ask !== undefined && !this.quiet;
  }

  /** libvirt URI: -c, else $LIBVIRT_DEFAULT_URI, else qemu:///system. */
  get uri(): string {
    return connectionOf(this.options, this.io.env);
  }

  /** The service for these settings, made once. */
  service(): LibvirtService {
    this.made ??= this.makeService({
      uri: this.uri,
      home: this.home,
      templateDir: this.config.TEMPLATE_DIR,
      storage: this.options.storage ?? this.config.STORAGE,
    });
    return this.made;
  }

  dispose(): void {
    this.made?.dispose();
  }

  /** The template clone commands work on: -t, else TEMPLATE; '0' or empty means none. */
  templateName(): string {
    const t = this.options.template ?? (this.config.TEMPLATE === '0' ? '' : this.config.TEMPLATE);
    if (!t) throw new UsageError('No template given: use -t NAME, or set TEMPLATE in the configuration.');
    return assertName(t);
  }

  /** The current template's clones (in number order) and the inventory; TemplateError (13) if it does not exist. */
  async templateClones(): Promise<{ template: string; clones: CloneInfo[]; inventory: Inventory }> {
    const template = this.templateName();
    const inventory = await this.service().inventory(this.signal);
    if (!inventory.templates.some((t) => t.name === template)) {
      // Loaded only here: the templates' code is not part of what every command loads (see commands/groups.ts).
      const { missingTemplateError } = await import('../libvirt/templates');
      throw await missingTemplateError(this.service().config.templateDir, template);
    }
    const clones = inventory.clones.filter((c) => c.template === template).sort((a, b) => a.id - b.id);
    return { template, clones, inventory };
  }

  /**
   * The current template's clones that `set` names and the command acts upon, in number order: the one path from
   * a SET to clones in the CLI (core's chooseBySet). A malformed set is a UsageError (12) before the template is
   * looked at.
   */
  async clonesInSet(set: ParsedSet | string, options: ResolveOptions<CloneInfo> = {}): Promise<CloneInfo[]> {
    const parsed = typeof set === 'string' ? parseSetOrThrow(set) : set;
    const { clones } = await this.templateClones();
    return chooseBySet(parsed, clones, options).chosen;
  }
}
