import type { FailureCause } from './model';

/** What a person should do about each way a training fails: the message the panel and the tree show. */
export function failureAdvice(cause: FailureCause): string {
  switch (cause) {
    case 'out-of-memory':
      return 'The GPU ran out of memory. Lower the batch size to 1, turn on gradient checkpointing and latent caching, or choose a smaller resolution or network dim.';
    case 'missing-base-model':
      return 'sd-scripts could not load the base model. Choose an existing .safetensors or .ckpt checkpoint file.';
    case 'no-images':
      return 'sd-scripts found no training images. Check that the dataset folder has PNG/JPEG/WebP images (run Check Dataset).';
    case 'bad-config':
      return 'sd-scripts refused the training configuration. The log names the field; the dataset.toml and the command are in the run folder.';
    case 'missing-package':
      return 'A Python package sd-scripts needs is missing from its environment. Install sd-scripts\' requirements, or choose another optimizer or attention.';
    case 'no-final-file':
      return 'The trainer exited without saving the final LoRA (no "model saved." and no final file). The log says why.';
    case 'exit-code':
      return 'The trainer exited with an error. The log shows its last lines.';
    case 'could-not-start':
      return 'The trainer could not be started. Check studionova.sdScripts.folder, python and accelerate (machine settings).';
  }
}
