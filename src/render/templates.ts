import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { RunproofError } from '../core/index.js';
import { formatBytes, formatDuration, formatTime, formatValue } from './format.js';
import { escapeMarkdownInline, escapeTableCell, fencedBlock, inlineCode } from './markdown-text.js';

/** The report template files a template folder may hold (and `partials/*.hbs`). */
export const MARKDOWN_TEMPLATE = 'report.md.hbs';
export const HTML_TEMPLATE = 'report.html.hbs';
const PARTIALS_DIR = 'partials';

/** The templates shipped with runproof: `templates/` at the package root (from `src/render` or `dist/render`). */
export const DEFAULT_TEMPLATE_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

type Render = (view: unknown) => string;

/** The two compiled reports of one template folder. */
export interface CompiledReports {
  markdown: Render;
  html: Render;
}

interface TemplateSources {
  markdown: { file: string; text: string };
  html: { file: string; text: string };
  partials: Map<string, { file: string; text: string }>;
}

// Helpers shared by both reports: they return plain strings, never SafeString, so in HTML
// Handlebars still escapes whatever they return.
function registerCommonHelpers(env: typeof Handlebars): void {
  env.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  env.registerHelper('not', (a: unknown) => !a);
  env.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  env.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  env.registerHelper('duration', (ms: unknown) => formatDuration(Number(ms)));
  env.registerHelper('bytes', (n: unknown) => formatBytes(Number(n)));
  env.registerHelper('time', (iso: unknown) => formatTime(String(iso)));
  env.registerHelper('json', (value: unknown) => formatValue(value));
}

// The Markdown report is compiled without HTML escaping (entities would show inside code
// blocks); instead every value goes through one of these, chosen for where it lands.
function registerMarkdownHelpers(env: typeof Handlebars): void {
  env.registerHelper('text', (value: unknown, options: HelperOptions) => escapeMarkdownInline(asText(value, 'text', options)));
  env.registerHelper('cell', (value: unknown, options: HelperOptions) => escapeTableCell(asText(value, 'cell', options)));
  env.registerHelper('code', (value: unknown, options: HelperOptions) => inlineCode(asText(value, 'code', options)));
  env.registerHelper('cellcode', (value: unknown, options: HelperOptions) => inlineCode(asText(value, 'cellcode', options), true));
  env.registerHelper('fence', (value: unknown, ...rest: unknown[]) => {
    const options = rest.at(-1) as HelperOptions;
    const language = rest.length > 1 && typeof rest[0] === 'string' ? rest[0] : '';
    return fencedBlock(asText(value, 'fence', options), language);
  });
}

type HelperOptions = { loc?: { start?: { line?: number; column?: number } } } | undefined;

// Handlebars' strict mode does not check helper arguments, and every field of the view is
// present (null when absent): undefined here is a misspelt field, reported rather than hidden.
function asText(value: unknown, helper: string, options: HelperOptions): string {
  if (value === undefined) {
    const line = options?.loc?.start?.line;
    throw new Error(`{{${helper}}} was given a field that does not exist${line ? ` (line ${line})` : ''}`);
  }
  if (value === null) return '';
  return typeof value === 'string' ? value : String(value);
}

function templateError(file: string, error: unknown): RunproofError {
  return new RunproofError('RP_BAD_TEMPLATE', `report template ${file}: ${(error as Error).message ?? String(error)}`, {
    hint: `compare with the default templates in ${DEFAULT_TEMPLATE_DIR}; a template may use only the fields they use`,
    file,
    cause: error,
  });
}

// Compiles one template or partial, naming its file in every error (syntax or missing field).
function compileOne(env: typeof Handlebars, source: { file: string; text: string }, noEscape: boolean): HandlebarsTemplateDelegate {
  let template: HandlebarsTemplateDelegate;
  try {
    // Compilation is lazy in Handlebars: parse now so syntax errors surface here, naming the file.
    env.parse(source.text);
    // strict: a field the view lacks is an error, not an empty string hiding a typo.
    template = env.compile(source.text, { strict: true, noEscape, preventIndent: true });
  } catch (error) {
    throw templateError(source.file, error);
  }
  return (context: unknown, options?: Handlebars.RuntimeOptions) => {
    try {
      return template(context, options);
    } catch (error) {
      throw error instanceof RunproofError ? error : templateError(source.file, error);
    }
  };
}

// One isolated Handlebars environment per report kind: the Markdown one never escapes HTML, the
// HTML one always does, and neither touches the global Handlebars instance.
function compileReport(sources: TemplateSources, kind: 'markdown' | 'html'): Render {
  const env = Handlebars.create();
  registerCommonHelpers(env);
  const noEscape = kind === 'markdown';
  if (noEscape) registerMarkdownHelpers(env);
  for (const [name, source] of sources.partials) env.registerPartial(name, compileOne(env, source, noEscape));
  const template = compileOne(env, sources[kind], noEscape);
  return (view: unknown) => template(view, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
}

async function readIfFile(path: string): Promise<string | null> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return null;
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new RunproofError('RP_BAD_TEMPLATE', `cannot read report template ${path}: ${(error as Error).message}`, { file: path, cause: error });
  }
}

async function readPartials(dir: string): Promise<Map<string, { file: string; text: string }>> {
  const partials = new Map<string, { file: string; text: string }>();
  let names: string[];
  try {
    names = await readdir(join(dir, PARTIALS_DIR));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return partials;
    throw new RunproofError('RP_BAD_TEMPLATE', `cannot read report partials in ${dir}: ${(error as Error).message}`, { file: dir, cause: error });
  }
  for (const name of names.sort()) {
    if (!name.endsWith('.hbs')) continue;
    const file = join(dir, PARTIALS_DIR, name);
    const text = await readIfFile(file);
    if (text !== null) partials.set(basename(name, '.hbs'), { file, text });
  }
  return partials;
}

async function readTemplateDir(dir: string): Promise<Partial<TemplateSources> & { partials: TemplateSources['partials'] }> {
  const markdownFile = join(dir, MARKDOWN_TEMPLATE);
  const htmlFile = join(dir, HTML_TEMPLATE);
  const [markdown, html, partials] = await Promise.all([readIfFile(markdownFile), readIfFile(htmlFile), readPartials(dir)]);
  return {
    ...(markdown !== null ? { markdown: { file: markdownFile, text: markdown } } : {}),
    ...(html !== null ? { html: { file: htmlFile, text: html } } : {}),
    partials,
  };
}

let defaults: Promise<TemplateSources> | undefined;

// The shipped templates are read once per process; a 1,000-step report should not re-read them.
function defaultSources(): Promise<TemplateSources> {
  defaults ??= readTemplateDir(DEFAULT_TEMPLATE_DIR).then((found) => {
    if (!found.markdown || !found.html) {
      throw new RunproofError('RP_BAD_TEMPLATE', `the default report templates are missing from ${DEFAULT_TEMPLATE_DIR}`, {
        hint: 'reinstall runproof: the package ships templates/report.md.hbs and templates/report.html.hbs',
      });
    }
    return { markdown: found.markdown, html: found.html, partials: found.partials };
  });
  defaults.catch(() => {
    defaults = undefined;
  });
  return defaults;
}

let compiledDefaults: CompiledReports | undefined;

/**
 * Compiles the report templates: the defaults, overridden file by file (and partial by partial)
 * by a user's template folder. A folder with none of the files is an error, not a silent default.
 */
export async function loadReportTemplates(templateDir?: string): Promise<CompiledReports> {
  const base = await defaultSources();
  if (templateDir === undefined) {
    compiledDefaults ??= { markdown: compileReport(base, 'markdown'), html: compileReport(base, 'html') };
    return compiledDefaults;
  }
  const dir = resolve(templateDir);
  let info;
  try {
    info = await stat(dir);
  } catch (error) {
    throw new RunproofError('RP_BAD_TEMPLATE', `template folder ${templateDir} not found`, {
      hint: `--template-dir names a folder holding ${MARKDOWN_TEMPLATE}, ${HTML_TEMPLATE} and/or ${PARTIALS_DIR}/*.hbs`,
      file: templateDir,
      cause: error,
    });
  }
  if (!info.isDirectory()) {
    throw new RunproofError('RP_BAD_TEMPLATE', `${templateDir} is not a folder`, {
      hint: `--template-dir names a folder holding ${MARKDOWN_TEMPLATE}, ${HTML_TEMPLATE} and/or ${PARTIALS_DIR}/*.hbs`,
      file: templateDir,
    });
  }
  const own = await readTemplateDir(dir);
  if (!own.markdown && !own.html && own.partials.size === 0) {
    throw new RunproofError('RP_BAD_TEMPLATE', `template folder ${templateDir} holds no report templates`, {
      hint: `put ${MARKDOWN_TEMPLATE}, ${HTML_TEMPLATE} or ${PARTIALS_DIR}/<name>.hbs in it (copy them from ${DEFAULT_TEMPLATE_DIR})`,
      file: templateDir,
    });
  }
  const merged: TemplateSources = {
    markdown: own.markdown ?? base.markdown,
    html: own.html ?? base.html,
    partials: new Map([...base.partials, ...own.partials]),
  };
  return { markdown: compileReport(merged, 'markdown'), html: compileReport(merged, 'html') };
}
