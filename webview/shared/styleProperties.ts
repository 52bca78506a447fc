import { noChange } from 'lit';
import { Directive, type DirectiveResult, type ElementPart, PartType, type PartInfo, directive } from 'lit/directive.js';

/**
 * Sets inline style properties through the CSSOM (`element.style.setProperty`), which the webview's CSP
 * allows. Lit's `styleMap` writes the `style` attribute on first render, which a CSP without
 * `'unsafe-inline'` in `style-src` blocks. Use as an element directive: `<div ${styleProperties({ top: '4px' })}>`.
 */
class StylePropertiesDirective extends Directive {
  private previous = new Map<string, string>();

  constructor(partInfo: PartInfo) {
    super(partInfo);
    if (partInfo.type !== PartType.ELEMENT) throw new Error('styleProperties() goes on an element: <div ${styleProperties({...})}>');
  }

  render(_properties: Readonly<Record<string, string>>): typeof noChange {
    return noChange;
  }

  override update(part: ElementPart, [properties]: [Readonly<Record<string, string>>]): typeof noChange {
    const style = (part.element as HTMLElement).style;
    for (const name of this.previous.keys()) if (!(name in properties)) style.removeProperty(name);
    const next = new Map<string, string>();
    for (const [name, value] of Object.entries(properties)) {
      if (this.previous.get(name) !== value) style.setProperty(name, value);
      next.set(name, value);
    }
    this.previous = next;
    return noChange;
  }
}

export const styleProperties: (properties: Readonly<Record<string, string>>) => DirectiveResult<typeof StylePropertiesDirective> = directive(StylePropertiesDirective);
