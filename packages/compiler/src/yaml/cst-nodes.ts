import { Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';

/**
 * `yaml`'s node classes for the nodes from-cst.ts builds, without their constructors: those define
 * the node type on every instance with `Object.defineProperty` (a node for every scalar, pair and
 * collection of a file; about a tenth of building them). Here the type sits on the prototype, which
 * inherits from the library's, so `isScalar`, `isMap`, `instanceof` and the methods work the same.
 */
const NODE_TYPE = Symbol.for('yaml.node.type');

function derive(ctor: { prototype: object }, base: { prototype: object }, type: string): void {
  Object.setPrototypeOf(ctor.prototype, base.prototype);
  Object.defineProperty(ctor.prototype, NODE_TYPE, { value: Symbol.for(type) });
}

type Range = [number, number, number];

class CstScalar {
  constructor(
    readonly value: unknown,
    readonly range: Range,
    readonly type: Scalar.Type,
  ) {}
}
derive(CstScalar, Scalar, 'yaml.scalar');

class CstPair {
  value: unknown = null;
  constructor(readonly key: unknown) {}
}
derive(CstPair, Pair, 'yaml.pair');

class CstMap {
  items: unknown[] = [];
  range: Range | undefined = undefined;
  constructor(readonly flow: boolean) {}
}
derive(CstMap, YAMLMap, 'yaml.map');

class CstSeq {
  items: unknown[] = [];
  range: Range | undefined = undefined;
  constructor(readonly flow: boolean) {}
}
derive(CstSeq, YAMLSeq, 'yaml.seq');

export const scalarNode = (value: unknown, range: Range, type: Scalar.Type): Scalar => new CstScalar(value, range, type) as unknown as Scalar;
export const pairNode = (key: Scalar): Pair<Scalar, unknown> => new CstPair(key) as unknown as Pair<Scalar, unknown>;
export const mapNode = (flow: boolean): YAMLMap => new CstMap(flow) as unknown as YAMLMap;
export const seqNode = (flow: boolean): YAMLSeq => new CstSeq(flow) as unknown as YAMLSeq;
