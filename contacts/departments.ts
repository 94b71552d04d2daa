/**
 * The organisation's departments as one list with readable paths ("Sales / Kowloon"), for the Department and
 * User dropdowns. Walked breadth-first from the root with listsub (contacts calls are free of the monthly
 * quota), capped, and cached for ten minutes per connection.
 */
import { mapLimited } from '../lib/limiter';
import type { Store } from '../lib/store';
import { getDepartment, listSubDepartments, ROOT_DEPARTMENT_ID } from '../dingtalk/contact';
import type { Transport } from '../dingtalk/transport';
import { cacheKeys, cacheTtlS } from '../lib/cache-keys';

/** Enough for any SME; a walk this size takes about 30 s at the limiter's 10 calls per second. */
export const MAX_DEPARTMENTS = 300;

export interface DepartmentEntry {
  id: number;
  /** The department's own name; the root's is the organisation's. */
  name: string;
  /** "Sales / Kowloon" below the root; the organisation's name for the root itself. */
  path: string;
  parentId?: number;
}

export interface DepartmentWalk {
  departments: DepartmentEntry[];
  /** False when the cap stopped the walk with departments left unvisited. */
  complete: boolean;
}

/** The root, then every department below it, level by level, up to `limit` departments in all. */
export async function walkDepartments(transport: Transport, limit = MAX_DEPARTMENTS): Promise<DepartmentWalk> {
  const root = await getDepartment(transport, ROOT_DEPARTMENT_ID);
  const rootEntry: DepartmentEntry = { id: root.deptId, name: root.name, path: root.name };
  const departments = [rootEntry];
  const seen = new Set([root.deptId]);
  let level = [rootEntry];
  while (level.length > 0) {
    if (departments.length >= limit) return { departments, complete: false };
    const children = await mapLimited(level, async (parent) => ({ parent, subs: await listSubDepartments(transport, parent.id) }));
    const next: DepartmentEntry[] = [];
    for (const { parent, subs } of children) {
      for (const sub of subs) {
        if (seen.has(sub.deptId)) continue;
        if (departments.length >= limit) return { departments, complete: false };
        seen.add(sub.deptId);
        const path = parent === rootEntry ? sub.name : `${parent.path} / ${sub.name}`;
        const entry: DepartmentEntry = { id: sub.deptId, name: sub.name, path, parentId: parent.id };
        departments.push(entry);
        next.push(entry);
      }
    }
    level = next;
  }
  return { departments, complete: true };
}

/** The department list from the cache, or a fresh walk that is then cached for ten minutes. */
export async function loadDepartments(transport: Transport, store: Store, log?: (message: string) => void): Promise<DepartmentEntry[]> {
  const cached = await store.get<DepartmentEntry[]>(cacheKeys.departments);
  if (Array.isArray(cached)) return cached;
  const { departments, complete } = await walkDepartments(transport);
  if (!complete) log?.(`Listed the first ${MAX_DEPARTMENTS} DingTalk departments only.`);
  await store.set(cacheKeys.departments, departments, cacheTtlS.directory);
  return departments;
}

/** The root first, then the rest by path, so sub-departments sit under their parent. */
export function byPath(departments: DepartmentEntry[]): DepartmentEntry[] {
  const [root, ...rest] = departments;
  return root ? [root, ...[...rest].sort((a, b) => a.path.localeCompare(b.path))] : [];
}
