/**
 * `target[key] = value` as an own data property, also for the key `__proto__` (which assignment
 * would turn into a prototype change): JSON keys are data, whatever their name.
 */
export function setOwn<T>(target: { [key: string]: T }, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
