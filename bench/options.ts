/** Command-line options of `npm run bench -- [options]`. */
export interface Options {
  /** Print the report as JSON on stdout (progress still goes to stderr). */
  json: boolean;
  /** Print the tables as Markdown (for docs/performance.md). */
  markdown: boolean;
  /** Short run: fewer calls, for a quick look or CI smoke. */
  quick: boolean;
  /** Only these subject ids, or group ids standing for all their rows (comparisons that need a missing subject show N/A). */
  only: string[] | null;
  /** Run daemons under `--cpu-prof`, writing profiles under this directory (one folder per subject). */
  cpuProf: string | null;
  /** List the subjects and exit. */
  list: boolean;
  help: boolean;
}

export const USAGE = `usage: npm run bench -- [--quick] [--json | --markdown] [--only ID[,ID...]] [--cpu-prof DIR] [--list]

  --quick      short run (fewer calls; figures are noisier)
  --json       print the whole report as JSON on stdout (progress goes to stderr)
  --markdown   print the tables as Markdown
  --only IDS   measure only these subjects (comma-separated subject or group ids, e.g.
               --only reload; see --list)
  --cpu-prof DIR
               run each daemon under node --cpu-prof, writing its main-thread and worker
               profiles to DIR/SUBJECT-ID/ (open them in Chrome DevTools); skews the figures
  --list       list the subjects and what each measures, then exit
  --help       this text

For clean JSON on stdout, skip npm's own output: npm run build && node dist/bench/main.js --json`;

export function parseOptions(argv: string[]): Options {
  const options: Options = { json: false, markdown: false, quick: false, only: null, cpuProf: null, list: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    switch (flag) {
      case '--json':
        options.json = true;
        break;
      case '--markdown':
        options.markdown = true;
        break;
      case '--quick':
        options.quick = true;
        break;
      case '--list':
        options.list = true;
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      case '--only': {
        const value = inline ?? argv[++i];
        if (!value) throw new Error('--only needs a comma-separated list of subject ids');
        options.only = value.split(',').map((s) => s.trim()).filter(Boolean);
        break;
      }
      case '--cpu-prof': {
        const value = inline ?? argv[++i];
        if (!value) throw new Error('--cpu-prof needs a directory');
        options.cpuProf = value;
        break;
      }
      default:
        throw new Error(`unknown option ${arg}`);
    }
  }
  if (options.json && options.markdown) throw new Error('--json and --markdown cannot be combined');
  return options;
}
