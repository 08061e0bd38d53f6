// The server's pages: Handlebars templates in templates/serve/, HTML-escaped by default (no
// triple-stash anywhere), each page wrapped by the `layout` partial block.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

/** templates/serve/ at the package root (from src/serve or dist/serve). */
export const SERVE_TEMPLATE_DIR = fileURLToPath(new URL('../../templates/serve/', import.meta.url));

export type PageName = 'runs' | 'run' | 'chains' | 'steps' | 'diff' | 'sample' | 'message';

export interface ServeTemplates {
  render(page: PageName, view: Record<string, unknown>): string;
  css: string;
}

/** Compiles every page once per server. */
export async function loadServeTemplates(): Promise<ServeTemplates> {
  const env = Handlebars.create();
  env.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  const files = (await readdir(SERVE_TEMPLATE_DIR)).filter((f) => f.endsWith('.hbs')).sort();
  const pages = new Map<string, HandlebarsTemplateDelegate>();
  for (const file of files) {
    const text = await readFile(join(SERVE_TEMPLATE_DIR, file), 'utf8');
    const name = file.replace(/\.hbs$/, '');
    if (name === 'layout') env.registerPartial('layout', text);
    else pages.set(name, env.compile(text, { noEscape: false, preventIndent: true }));
  }
  const css = await readFile(join(SERVE_TEMPLATE_DIR, 'serve.css'), 'utf8');
  return {
    css,
    render: (page, view) => {
      const template = pages.get(page);
      if (!template) throw new Error(`no template ${page}.hbs in ${SERVE_TEMPLATE_DIR}`);
      return template(view, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
    },
  };
}
