import { stringify } from 'yaml';
import { studioDefaults } from './documents';

/** The text of the files StudioNOVA creates. Front matter goes through a YAML writer, so any name is quoted correctly. */

function markdownWithFrontMatter(fields: Record<string, unknown>, body: string): string {
  const defined = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined && value !== ''));
  return `---\n${stringify(defined, { lineWidth: 0 })}---\n${body}`;
}

export function studioJsonText(name: string): string {
  return `${JSON.stringify(
    {
      name,
      defaults: {
        checkpoint: 'v1-5-pruned-emaonly.safetensors',
        negative: 'lowres, bad anatomy, bad hands, watermark, text',
        ...studioDefaults,
      },
    },
    null,
    2,
  )}\n`;
}

export interface CharacterFields {
  readonly name: string;
  readonly trigger: string;
  readonly class: string;
  readonly description?: string | undefined;
  readonly lora?: string | undefined;
}

export function characterText(fields: CharacterFields): string {
  const body = [
    `# ${fields.name}`,
    '',
    fields.description || 'Appearance, outfit, personality: notes for prompts and captions.',
    '',
  ].join('\n');
  return markdownWithFrontMatter(
    { name: fields.name, trigger: fields.trigger, class: fields.class, lora: fields.lora, description: fields.description },
    body,
  );
}

export function chapterText(fields: { readonly number: number; readonly title: string; readonly synopsis?: string }): string {
  return markdownWithFrontMatter(
    { number: fields.number, title: fields.title, synopsis: fields.synopsis },
    `# ${fields.title}\n\nWhat happens in this chapter, page by page.\n`,
  );
}

export function pageText(fields: { readonly chapter: number; readonly page: number; readonly character?: string | undefined; readonly trigger?: string | undefined }): string {
  const subject = fields.trigger ? `${fields.trigger}, ` : '';
  return markdownWithFrontMatter(
    { chapter: fields.chapter, page: fields.page, character: fields.character, size: '512x768', steps: 24, cfg: 7, sampler: 'euler_ancestral' },
    ['## Panel 1', `${subject}full body, establishing shot, city street at night`, 'negative: lowres, bad hands', ''].join('\n'),
  );
}

export function datasetJsonText(fields: { readonly character: string; readonly trigger: string | undefined }): string {
  return `${JSON.stringify({ character: fields.character, trigger: fields.trigger, kind: 'character', repeats: 10, resolution: 512 }, null, 2)}\n`;
}

export const gitignoreText = '# StudioNOVA index and thumbnails: rebuilt from the files\n.studio/\n';
