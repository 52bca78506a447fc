/** Every id the extension contributes, in one place. A unit test keeps package.json in step. */

export const extensionPrefix = 'studionova';

export const CommandId = {
  /** Turn the open folder into a studio. */
  newStudio: 'studionova.studio.new',
  /** Re-read changed files into the index and refresh the tree. */
  refreshStudio: 'studionova.studio.refresh',
  /** Throw the index away and rebuild it from the files. */
  rebuildIndex: 'studionova.index.rebuild',
  /** Create characters/<id>/character.md. */
  newCharacter: 'studionova.character.new',
  /** Copy training images into a character's dataset, after the responsible-use confirmation. */
  attachTrainingImages: 'studionova.character.attachImages',
  /** Create the next chapter with its first page. */
  newChapter: 'studionova.chapter.new',
  /** Create the next page of a chapter. */
  newPage: 'studionova.page.new',
  /** Open a tree item's file. */
  openItem: 'studionova.item.open',
  /** Reveal a tree item's file or folder in the Explorer. */
  revealItem: 'studionova.item.reveal',
  /** Rename a tree item's file or folder. */
  renameItem: 'studionova.item.rename',
  /** Move a tree item's file or folder to the trash, after a confirmation. */
  deleteItem: 'studionova.item.delete',
  /** Open the settings of the engines. */
  openEngineSettings: 'studionova.engines.openSettings',
  /** Pick one of the hardware presets. */
  selectHardwareProfile: 'studionova.hardware.selectProfile',
  /** Show StudioNOVA's log. */
  showLog: 'studionova.log.show',
  /** Start the managed ComfyUI, or connect to the configured one. */
  startComfy: 'studionova.comfyui.start',
  /** Stop the managed ComfyUI and its whole process tree. */
  stopComfy: 'studionova.comfyui.stop',
  /** Stop and start the managed ComfyUI. */
  restartComfy: 'studionova.comfyui.restart',
  /** Show ComfyUI's output. */
  showComfyLog: 'studionova.comfyui.showLog',
  /** Generate images from a prompt, with a character or without. */
  generateImage: 'studionova.generate.image',
  /** Show which fields StudioNOVA fills in a workflow template, and how it found them. */
  showWorkflowSlots: 'studionova.workflow.showSlots',
  /** Cancel a generation job, wherever it is. */
  cancelJob: 'studionova.queue.cancel',
  /** Open the image a job made. */
  openJobImage: 'studionova.queue.open',
  /** Generate one panel of a prompt file (CodeLens: the document's URI, the panel number, how many images). */
  generatePanel: 'studionova.prompt.generatePanel',
  /** Generate every panel of a prompt file. */
  generatePage: 'studionova.prompt.generatePage',
  /** Cancel what a panel's latest request still has queued or running. */
  cancelPanelJobs: 'studionova.prompt.cancelPanel',
  /** Pick one of a panel's versions to open, approve or re-run. */
  showVersions: 'studionova.prompt.showVersions',
  /** Open a generated version's image. */
  openVersion: 'studionova.version.open',
  /** Mark a version as the panel's chosen one: copy it into the chapter's approved folder. */
  approveVersion: 'studionova.version.approve',
  /** Take a version's approved copy away again. */
  unapproveVersion: 'studionova.version.unapprove',
  /** Generate a version again with exactly the workflow that made it. */
  rerunVersion: 'studionova.version.rerun',
  /** Generate a version again with a new seed and everything else the same. */
  rerunVersionNewSeed: 'studionova.version.rerunNewSeed',
  /** Open the gallery of every image of the studio (from a tree item: its images). */
  openGallery: 'studionova.gallery.open',
  /** Show the images of another folder in the gallery too. */
  addGalleryRoot: 'studionova.gallery.addRoot',
  /** Open the caption editor of a dataset (from the palette: pick one). */
  openCaptions: 'studionova.dataset.openCaptions',
  /** Create datasets/<id>/dataset.json for a character. */
  newDataset: 'studionova.dataset.new',
  /** Convert, crop and scale pictures into a dataset, skipping duplicates and keeping the originals. */
  importDatasetImages: 'studionova.dataset.importImages',
  /** Check a dataset before training: findings in Problems, a summary in the editor. */
  checkDataset: 'studionova.dataset.check',
  /** Add a horizontal flip of every image, with its caption. */
  addDatasetFlips: 'studionova.dataset.addFlips',
  /** Remove the flips made by addDatasetFlips, unless changed since. */
  removeDatasetFlips: 'studionova.dataset.removeFlips',
  /** Generate a character's regularization set into the sibling dataset <id>-reg. */
  generateRegularizationSet: 'studionova.dataset.generateRegularization',
  /** Let a local vision model turn a reference image into a prompt draft. */
  describeImage: 'studionova.image.describe',
  /** Open the training panel for a dataset or a character, with presets for the hardware profile. */
  trainLora: 'studionova.training.train',
  /** Open a training run's panel: live while it runs, read back from its folder after. */
  openTrainingRun: 'studionova.training.open',
  /** Cancel the running training, killing the trainer's whole process tree. */
  cancelTraining: 'studionova.training.cancel',
  /** Go on with a failed or cancelled run from its saved state. */
  resumeTraining: 'studionova.training.resume',
} as const;
export type CommandId = (typeof CommandId)[keyof typeof CommandId];

export const ViewId = {
  studio: 'studionova.studio',
  queue: 'studionova.queue',
  engines: 'studionova.engines',
} as const;

export const ContextKey = {
  /** `none` (no studio.json), `ready`, or unset while looking. */
  studioState: 'studionova.studioState',
  /** ComfyUI's state: idle, starting, ready, unhealthy, unreachable, crashed, stopped. */
  comfyState: 'studionova.comfy.state',
  /** `managed` or `connected`. */
  comfyMode: 'studionova.comfy.mode',
} as const;

export const configSection = extensionPrefix;
