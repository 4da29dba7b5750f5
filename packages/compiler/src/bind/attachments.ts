import { isRecord } from '../check/context.js';
import type { ExprNode } from '../expr/ast.js';
import { formatType, type ExprType } from '../expr/types.js';

/** The media types an attachment kind takes; `image/*` stands for any image type. */
const ACCEPTS = {
  image: (t: string) => t.startsWith('image/'),
  document: (t: string) => t === 'application/pdf' || t === 'text/plain',
} as const;

/** What is wrong with an `attach:` value, for SDL4120 / SDL4121. */
export interface AttachmentProblem {
  code: 'SDL4120' | 'SDL4121';
  message: string;
  hint: string;
}

/** `inputs.<name>` read directly by an expression, or undefined. */
function inputRead(ast: ExprNode): string | undefined {
  return ast.kind === 'select' && ast.operand.kind === 'ident' && ast.operand.name === 'inputs' ? ast.field : undefined;
}

/** The `contentMediaType` an input declares, when it declares one. */
export function declaredMediaType(inputs: unknown, name: string): string | undefined {
  const props = isRecord(inputs) && isRecord(inputs.properties) ? inputs.properties : undefined;
  const schema = props?.[name];
  return isRecord(schema) && typeof schema.contentMediaType === 'string' ? schema.contentMediaType : undefined;
}

/**
 * An attachment reads a string (URL, `data:` URL or file path), so its type must be `string` or
 * `dyn` (SDL4120); an input it reads directly must not declare another kind of media (SDL4121).
 */
export function attachmentProblem(kind: 'image' | 'document', ast: ExprNode, type: ExprType, inputs: unknown): AttachmentProblem | undefined {
  if (type.kind !== 'string' && type.kind !== 'dyn') {
    return {
      code: 'SDL4120',
      message: `${kind === 'image' ? 'an' : 'a'} \`${kind}:\` attachment must be a string (an https URL, a \`data:\` URL or a file path), but this expression is ${formatType(type)}`,
      hint: `give it a string input, e.g. \`inputs: { properties: { file: { type: string, contentMediaType: ${kind === 'image' ? 'image/png' : 'application/pdf'} } } }\``,
    };
  }
  const name = inputRead(ast);
  const mediaType = name === undefined ? undefined : declaredMediaType(inputs, name);
  if (mediaType !== undefined && !ACCEPTS[kind](mediaType)) {
    const other = kind === 'image' ? 'document' : 'image';
    return {
      code: 'SDL4121',
      message: `\`inputs.${name}\` is declared \`contentMediaType: ${mediaType}\`, which ${kind === 'image' ? 'an' : 'a'} \`${kind}:\` attachment does not take (${kind === 'image' ? 'image/*' : 'application/pdf or text/plain'})`,
      hint: ACCEPTS[other](mediaType) ? `attach it as \`${other}: inputs.${name}\`` : 'declare the media type the attachment takes',
    };
  }
  return undefined;
}

/**
 * What an attachment needs of a model: `image` for images, `text` for a document whose input is
 * declared `text/plain`, else `pdf`. The IR records it so the runtime can gate engines at load.
 */
export function attachmentMedia(kind: 'image' | 'document', ast: ExprNode | undefined, inputs: unknown): 'image' | 'pdf' | 'text' {
  if (kind === 'image') return 'image';
  const name = ast ? inputRead(ast) : undefined;
  return name !== undefined && declaredMediaType(inputs, name) === 'text/plain' ? 'text' : 'pdf';
}
