// How long the gallery waits for the index on a studio of 10,000 images: 9,000 made by
// StudioNOVA (each with its generation-log line) and 1,000 dropped into output/imports/ by other
// tools (500 from ComfyUI, 500 from Automatic1111, their parameters in PNG text chunks only).
//   cold   no .studio/index.sqlite: the index is built (every foreign PNG's chunks read), then
//          the gallery's first questions are answered: the counts of the filter bar and the
//          first screenful of images
//   warm   the index file exists and nothing changed: reopened, then the same questions
import { appendFile, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withPngText } from '../src/core/metadata/pngText';
import { chapterId, indexFolder, manifestFile, studioFile } from '../src/core/studio/layout';
import { StudioIndex } from '../src/core/studio/studioIndex';
import { silentLogger } from '../src/core/util/logger';
import { defaultGalleryFilter } from '../src/shared/protocol/gallery';
import { manifestEntry } from '../test/support/manifestEntry';
import { tempFolder, wasmPath } from '../test/support/tempStudio';
import { defaultRuns, report, time } from './support/measure';

const chapters = 10;
const pagesPerChapter = 18;
const versionsPerPage = 50; // 10 × 18 × 50 = 9,000 generated images
const foreignImages = 1_000;
const imageCount = chapters * pagesPerChapter * versionsPerPage + foreignImages;
const firstScreen = 120;

/** A valid 1×1 PNG; the foreign ones get their tools' text chunks on top. */
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

// The bundle is CommonJS, which has no top-level await.
main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

async function main(): Promise<void> {
  const { dir: root, cleanup } = await tempFolder('studionova-bench-gallery-');
  try {
    await generateStudio(root);
    const open = (): Promise<StudioIndex> => StudioIndex.open({ root, wasmPath, logger: silentLogger });
    const firstQuestions = (index: StudioIndex): void => {
      const summary = index.gallery.summary(defaultGalleryFilter);
      const items = index.gallery.list(defaultGalleryFilter, 0, firstScreen);
      if (summary.total !== imageCount || items.length !== firstScreen) throw new Error(`the gallery saw ${summary.total} images, expected ${imageCount}`);
    };
    // The first open compiles sql.js's wasm; it is not what either figure is about.
    await (await open()).close();

    const cold: number[] = [];
    const warm: number[] = [];
    for (let run = 1; run <= defaultRuns; run++) {
      await rm(path.join(root, indexFolder), { recursive: true, force: true });
      let index: StudioIndex | undefined;
      cold.push(
        await time(async () => {
          index = await open();
          firstQuestions(index);
        }),
      );
      const foreign = index!.gallery.count({ ...defaultGalleryFilter, text: 'imports' });
      const fromComfy = index!.gallery.summary({ ...defaultGalleryFilter, checkpoint: 'comfy_base.safetensors' }).matching;
      if (foreign !== foreignImages || fromComfy !== foreignImages / 2) throw new Error(`foreign images not read: ${foreign} found, ${fromComfy} from ComfyUI`);
      await index!.close();
      warm.push(
        await time(async () => {
          const reopened = await open();
          firstQuestions(reopened);
          index = reopened;
        }),
      );
      await index!.close();
    }
    report('gallery_index_cold_ms', cold, 'ms', 5000);
    report('gallery_index_warm_ms', warm, 'ms', 500);
  } finally {
    await cleanup();
  }
}

async function generateStudio(root: string): Promise<void> {
  await writeFile(path.join(root, studioFile), JSON.stringify({ name: 'Gallery bench' }));
  await mkdir(path.join(root, 'characters', 'spyke'), { recursive: true });
  await writeFile(path.join(root, 'characters', 'spyke', 'character.md'), '---\nname: Spyke\ntrigger: spyke_plasma_v1\n---\n');
  const log: string[] = [];
  for (let chapter = 1; chapter <= chapters; chapter++) {
    const folder = path.join(root, 'output', chapterId(chapter), 'raw');
    await mkdir(folder, { recursive: true });
    for (let page = 1; page <= pagesPerChapter; page++) {
      for (let version = 1; version <= versionsPerPage; version++) {
        const name = `ch${String(chapter).padStart(2, '0')}_p${String(page).padStart(3, '0')}_v${version}.png`;
        await writeFile(path.join(folder, name), png);
        const entry = manifestEntry(`output/${chapterId(chapter)}/raw/${name}`, { kind: 'page', chapter, page, panel: 1 + (version % 5) }, chapter * 100_000 + page * 100 + version);
        log.push(JSON.stringify({ ...entry, createdAt: new Date(Date.UTC(2026, 0, 1) + log.length * 60_000).toISOString() }));
      }
    }
  }
  await appendFile(path.join(root, manifestFile), `${log.join('\n')}\n`);
  const imports = path.join(root, 'output', 'imports');
  await mkdir(imports, { recursive: true });
  for (let i = 0; i < foreignImages; i++) {
    const text = i % 2 === 0 ? comfyChunks(i) : [{ keyword: 'parameters', text: `a lighthouse at dusk, number ${i}\nNegative prompt: blurry\nSteps: 28, Sampler: DPM++ 2M, CFG scale: 6.5, Seed: ${i}, Size: 512x768, Model: a1111_base` }];
    await writeFile(path.join(imports, `import_${String(i).padStart(5, '0')}.png`), withPngText(png, text));
  }
}

function comfyChunks(seed: number): Array<{ keyword: string; text: string }> {
  const prompt = {
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'comfy_base.safetensors' } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 768, batch_size: 1 } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: `a castle in the clouds, ${seed}`, clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: 'lowres', clip: ['4', 1] } },
    '3': { class_type: 'KSampler', inputs: { seed, steps: 20, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] } },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] } },
  };
  return [
    { keyword: 'prompt', text: JSON.stringify(prompt) },
    { keyword: 'workflow', text: JSON.stringify({ last_node_id: 9, last_link_id: 9, nodes: [], links: [], groups: [], config: {}, extra: {}, version: 0.4 }) },
  ];
}
