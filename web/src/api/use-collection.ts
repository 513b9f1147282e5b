import { useEffect, useState, useSyncExternalStore } from 'react';
import type { Collection, CollectionOptions, CollectionSnapshot } from './collection.ts';
import { acquireCollection } from './collection.ts';
import type { KubeObject } from './watch-reducer.ts';
import { emptyCollection } from './watch-reducer.ts';

const idle: CollectionSnapshot<never> = { state: emptyCollection<never>(), loading: true, live: false };
const noSubscription = () => () => {};

/**
 * The live contents of a collection (list, then watch), shared across the page by `key`. `key` undefined: nothing
 * is listed (a page that cannot use it yet). The options are read when the key first appears.
 */
export function useCollection<T extends KubeObject, R = T>(
  key: string | undefined,
  options: () => CollectionOptions<T, R>,
): CollectionSnapshot<R> {
  const [held, setHeld] = useState<{ key: string; collection: Collection<T, R> }>();
  useEffect(() => {
    if (key === undefined) return;
    const { collection, release } = acquireCollection(key, options());
    setHeld({ key, collection });
    return release;
    // The options belong to the key: a new key brings new options.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  const collection = held && held.key === key ? held.collection : undefined;
  return useSyncExternalStore(
    collection?.subscribe ?? noSubscription,
    collection?.getSnapshot ?? (() => idle as CollectionSnapshot<R>),
  );
}
