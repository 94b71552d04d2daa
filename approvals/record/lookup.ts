/**
 * Lookups cached per connection: user names come from the free contacts API, template names from one
 * template-list page (one metered call that names up to 100 templates at once), form schemas for 10 minutes.
 */
import { z } from 'zod';
import { getUser } from '../../dingtalk/contact';
import { FormComponent } from '../../dingtalk/schemas/workflow';
import { listUserVisibleBpmsProcesses, querySchemaByProcessCode, type FormSchemaComponent } from '../../dingtalk/workflow';
import type { Transport } from '../../dingtalk/transport';
import { mapLimited } from '../../lib/limiter';
import { cacheKeys, cacheTtlS } from '../../lib/cache-keys';
import type { Store } from '../../lib/store';


/** userId → name for each id DingTalk knows; a user who left (or a missing permission) simply has no name. */
export async function userNames(transport: Transport, store: Store, userIds: string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  await mapLimited(userIds, async (userId) => {
    const cached = await store.get<string>(cacheKeys.userName(userId));
    if (cached) {
      names.set(userId, cached);
      return;
    }
    try {
      const user = await getUser(transport, userId);
      names.set(userId, user.name);
      await rememberUserName(store, userId, user.name);
    } catch {
      // Names are a convenience: the record still carries every user id.
    }
  });
  return names;
}

/** Remembers a user's name for records and messages, from any call that returned it. */
export async function rememberUserName(store: Store, userId: string, name: string): Promise<void> {
  if (name) await store.set(cacheKeys.userName(userId), name, cacheTtlS.name);
}

/** Remembers template names seen in a template list, so records can name their template for free. */
export async function rememberTemplateNames(store: Store, templates: { processCode: string; name: string }[]): Promise<void> {
  await Promise.all(templates.map((t) => store.set(cacheKeys.templateName(t.processCode), t.name, cacheTtlS.name)));
}

export async function templateName(transport: Transport, store: Store, processCode: string): Promise<string | null> {
  const cached = await store.get<string>(cacheKeys.templateName(processCode));
  if (cached) return cached;
  const page = await listUserVisibleBpmsProcesses(transport);
  await rememberTemplateNames(store, page.items);
  return page.items.find((t) => t.processCode === processCode)?.name ?? null;
}

/**
 * A template's form components, reused for 10 minutes: the Zap editor asks for Start Approval's fields often,
 * and every QuerySchemaByProcessCode call is metered.
 */
export async function templateComponents(transport: Transport, store: Store, processCode: string): Promise<FormSchemaComponent[]> {
  const cached = await store.get<unknown>(cacheKeys.schema(processCode));
  const parsed = z.array(FormComponent).safeParse(cached);
  if (parsed.success) return parsed.data;
  const schema = await querySchemaByProcessCode(transport, processCode);
  if (schema.name) await store.set(cacheKeys.templateName(processCode), schema.name, cacheTtlS.name);
  await store.set(cacheKeys.schema(processCode), schema.components, cacheTtlS.schema);
  return schema.components;
}
