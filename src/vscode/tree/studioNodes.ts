import * as vscode from 'vscode';
import type { Chapter, Character, Dataset, Lora } from '../../core/model/studio';
import { chapterFolder, datasetFile, datasetFolder, loraName } from '../../core/studio/layout';
import { ComfyLoraNode, TrainingRunNode } from './loraNodes';
import { CommandId } from '../../shared/ids';
import { PageNode } from './pageNodes';
import { FileNode, fileItem, StudioNode, tooltip, type TreeContext } from './studioNode';

export { FileNode, StudioNode, type TreeContext } from './studioNode';
export { PageNode } from './pageNodes';

type SectionKind = 'characters' | 'datasets' | 'loras' | 'chapters';

/** An empty section offers the next step: an action where one command makes the first item, else a hint. */
const sections: Record<SectionKind, { label: string; icon: string; empty: { label: string; command?: string } }> = {
  characters: { label: 'Characters', icon: 'person', empty: { label: 'New Character…', command: CommandId.newCharacter } },
  datasets: { label: 'Datasets', icon: 'file-media', empty: { label: 'No datasets yet: attach training images to a character' } },
  loras: { label: 'LoRAs', icon: 'layers', empty: { label: 'No LoRAs yet: name one in a character or train one' } },
  chapters: { label: 'Chapters', icon: 'book', empty: { label: 'New Chapter…', command: CommandId.newChapter } },
};

export class SectionNode extends StudioNode {
  constructor(
    private readonly context: TreeContext,
    readonly kind: SectionKind,
  ) {
    super();
  }

  getTreeItem(): vscode.TreeItem {
    const { label, icon } = sections[this.kind];
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `section:${this.kind}`;
    item.contextValue = `section.${this.kind}`;
    item.iconPath = new vscode.ThemeIcon(icon);
    return item;
  }

  override getChildren(): StudioNode[] {
    const { index } = this.context;
    const children: StudioNode[] = (() => {
      switch (this.kind) {
        case 'characters':
          return index.characters.list().map((c) => new CharacterNode(this.context, c));
        case 'datasets':
          return index.datasets.list().map((d) => new DatasetNode(this.context, d));
        case 'loras':
          return loraChildrenOf(this.context);
        case 'chapters':
          return index.chapters.list().map((c) => new ChapterNode(this.context, c));
      }
    })();
    const { empty } = sections[this.kind];
    if (children.length === 0) return [empty.command ? new ActionNode(empty.label, empty.command) : new MessageNode(empty.label, this.kind)];
    return children;
  }
}

/**
 * Training runs, newest first, then the LoRA files in ComfyUI's loras folder, then LoRAs that
 * characters name but that are in neither place. Checkpoints inside run folders show under their run.
 */
function loraChildrenOf(context: TreeContext): StudioNode[] {
  const { training, index, root } = context;
  const inFolder = new Set(training.loras.map((l) => loraName(l.name)));
  const declared = index.loras.list().filter((l) => l.source === 'declared' && !inFolder.has(loraName(l.name)));
  return [
    ...training.runs.map((run) => new TrainingRunNode(root, run, training.live.get(run.id))),
    ...training.loras.map((lora) => new ComfyLoraNode(lora)),
    ...declared.map((l) => new LoraNode(context, l)),
  ];
}

export class CharacterNode extends FileNode {
  readonly description: string;
  readonly target: vscode.Uri;
  readonly file: vscode.Uri;

  constructor(
    private readonly context: TreeContext,
    readonly character: Character,
  ) {
    super();
    this.description = `character "${character.name}"`;
    this.target = vscode.Uri.joinPath(context.root, 'characters', character.id);
    this.file = vscode.Uri.joinPath(context.root, character.path);
  }

  getTreeItem(): vscode.TreeItem {
    const c = this.character;
    const problems = this.context.index.problems.under(`characters/${c.id}`);
    const item = fileItem(`character:${c.id}`, c.name, this.file, 'character', problems, 'person');
    item.description = c.trigger ?? '';
    item.tooltip = tooltip(
      `${c.name} · ${c.id}`,
      [
        ['Trigger word', c.trigger],
        ['Class', c.class],
        ['LoRA', c.lora],
        ['Training images', c.consentAt ? `use confirmed ${c.consentAt.slice(0, 10)}` : undefined],
      ],
      c.description,
      problems,
    );
    return item;
  }
}

export class DatasetNode extends FileNode {
  readonly description: string;
  readonly target: vscode.Uri;
  readonly file: vscode.Uri;

  constructor(
    private readonly context: TreeContext,
    readonly dataset: Dataset,
  ) {
    super();
    this.description = `dataset "${dataset.id}"`;
    this.target = vscode.Uri.joinPath(context.root, datasetFolder(dataset.id));
    this.file = vscode.Uri.joinPath(context.root, datasetFile(dataset.id));
  }

  getTreeItem(): vscode.TreeItem {
    const d = this.dataset;
    const findings = this.context.datasetFindings(d.id);
    const problems = [...this.context.index.problems.under(d.path), ...findings];
    const icon = d.kind === 'regularization' ? 'library' : 'file-media';
    const item = fileItem(`dataset:${d.id}`, d.id, this.file, 'dataset', problems, icon);
    const count = (severity: string): number => findings.filter((f) => f.severity === severity).length;
    const verdict = [plural(count('error'), 'error'), plural(count('warning'), 'warning')].filter(Boolean).join(', ');
    item.description = `${d.imageCount} images · ${d.captionedCount} captioned${verdict ? ` · ${verdict}` : ''}`;
    item.tooltip = tooltip(
      `${d.id} · ${d.kind} dataset`,
      [
        ['Character', d.characterId],
        ['Trigger word', d.trigger],
        ['Repeats', String(d.repeats)],
        ['Images', String(d.imageCount)],
        ['Captioned', String(d.captionedCount)],
      ],
      undefined,
      problems,
    );
    return item;
  }
}

export class LoraNode extends StudioNode {
  constructor(
    private readonly context: TreeContext,
    readonly lora: Lora,
  ) {
    super();
  }

  getTreeItem(): vscode.TreeItem {
    const l = this.lora;
    const item = new vscode.TreeItem(l.name, vscode.TreeItemCollapsibleState.None);
    item.id = `lora:${l.name}`;
    item.iconPath = new vscode.ThemeIcon('layers');
    if (l.path) {
      item.resourceUri = vscode.Uri.joinPath(this.context.root, l.path);
      item.contextValue = 'lora';
      item.description = l.path;
    } else {
      item.contextValue = 'lora.declared';
      item.description = l.characterId ? `named by ${l.characterId}` : 'named only';
    }
    item.tooltip = tooltip(l.name, [
      ['File', l.path ?? 'not in this studio (ComfyUI\'s models/loras)'],
      ['Character', l.characterId],
    ]);
    return item;
  }
}

export class ChapterNode extends FileNode {
  readonly description: string;
  readonly target: vscode.Uri;
  readonly file: vscode.Uri;

  constructor(
    private readonly context: TreeContext,
    readonly chapter: Chapter,
  ) {
    super();
    this.description = `chapter "${chapter.title}"`;
    this.target = vscode.Uri.joinPath(context.root, chapterFolder(chapter.id));
    this.file = vscode.Uri.joinPath(context.root, chapter.path);
  }

  getTreeItem(): vscode.TreeItem {
    const c = this.chapter;
    const problems = this.context.index.problems.under(c.path);
    const item = fileItem(`chapter:${c.id}`, `Chapter ${c.number}: ${c.title}`, this.file, 'chapter', problems, 'book');
    item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
    const pages = this.context.index.pages.forChapter(c.id).length;
    item.description = `${pages} ${pages === 1 ? 'page' : 'pages'}`;
    item.tooltip = tooltip(`Chapter ${c.number}: ${c.title} · ${c.id}`, [], undefined, problems);
    return item;
  }

  override getChildren(): StudioNode[] {
    return this.context.index.pages.forChapter(this.chapter.id).map((page) => new PageNode(this.context, page));
  }
}

/** A clickable hint in an empty section, e.g. "New Character…". */
export class ActionNode extends StudioNode {
  constructor(
    private readonly label: string,
    private readonly command: string,
  ) {
    super();
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    item.id = `action:${this.command}`;
    item.iconPath = new vscode.ThemeIcon('add');
    item.command = { command: this.command, title: this.label };
    return item;
  }
}

export class MessageNode extends StudioNode {
  constructor(
    private readonly label: string,
    private readonly key: string,
  ) {
    super();
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    item.id = `message:${this.key}`;
    item.contextValue = 'message';
    return item;
  }
}

/** "2 errors", "1 warning", or nothing for none. */
function plural(count: number, word: string): string {
  return count === 0 ? '' : `${count} ${word}${count === 1 ? '' : 's'}`;
}
