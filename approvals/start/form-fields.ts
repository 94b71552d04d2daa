/**
 * Start Approval's dynamic input fields: one typed Zapier field per component of the template's form schema
 * (QuerySchemaByProcessCode). Components the server API cannot fill are left out, and a note says why:
 * attachments ("目前尚未支持通过调用服务端API添加审批附件", common-questions-about-official-oa-approval) and
 * text notes, which hold no value.
 */
import type { FormSchemaComponent } from '../../dingtalk/workflow';
import { MAX_SIGNIFICANT_DIGITS, MONEY_DECIMALS } from './input-values';

/** A Zapier input field as this module builds it (a subset of PlainInputField). */
export interface FormInputField {
  key: string;
  label: string;
  helpText?: string;
  type?: 'string' | 'text' | 'number' | 'integer' | 'datetime' | 'copy';
  required?: boolean;
  list?: boolean;
  choices?: Record<string, string>;
  dynamic?: string;
  search?: string;
  children?: FormInputField[];
}

/** Components DingTalk's start API does not accept, or that hold no value. */
const NOT_FILLABLE = new Set(['DDAttachment', 'TextNote']);

export const fieldKeyOf = (component: Pick<FormSchemaComponent, 'props'>) => `form__${component.props.id ?? 'field'}`;
export const rangeKeys = (key: string) => ({ start: `${key}__start`, end: `${key}__end` });

/** Option lists come as plain strings or as JSON strings like `{"value":"Travel","key":"option_1"}`. */
export function optionValues(component: Pick<FormSchemaComponent, 'props'>): string[] {
  const fromStrings = (component.props.options ?? []).map((option) => {
    try {
      const parsed: unknown = JSON.parse(option);
      if (parsed && typeof parsed === 'object' && 'value' in parsed) return String((parsed as { value: unknown }).value);
    } catch {
      // a plain option string
    }
    return option;
  });
  const fromObjects = (component.props.objOptions ?? []).flatMap((option) => (option.value ? [option.value] : []));
  return [...new Set([...fromStrings, ...fromObjects])];
}

/** A date range's label is a JSON array: ["Start", "End"]. */
export function rangeLabels(label: string): [string, string] {
  try {
    const parsed: unknown = JSON.parse(label);
    if (Array.isArray(parsed) && parsed.length >= 2) return [String(parsed[0]), String(parsed[1])];
  } catch {
    // a plain label
  }
  return [`${label} Start`, `${label} End`];
}

const dateHelp = (format: string | null | undefined) =>
  `Sent to DingTalk as ${format || 'yyyy-MM-dd'}${/HH/.test(format ?? '') ? ' in Hong Kong time (UTC+08:00)' : ''}. ` +
  'Type or map 2026-11-24, 2026-11-24 14:30 or an ISO 8601 date; dates with slashes are read day first, as in Hong Kong (01/02/2026 is 1 February 2026).';

/**
 * Zapier's `number` type only tags the field ("Zapier does not validate the data to ensure users added the correct
 * item for that field type", docs.zapier.com/platform/build/field-definitions); readNumber checks the value itself.
 */
function numberHelp(component: FormSchemaComponent): string {
  const money = component.componentName === 'MoneyField';
  const unit = component.props.unit ? `In ${component.props.unit}. ` : '';
  const decimals = money ? `${MONEY_DECIMALS} decimal places and ` : '';
  return `${unit}A number such as 6480.50 or 6,480.50: commas only between groups of three, a point for decimals, up to ${decimals}${MAX_SIGNIFICANT_DIGITS} digits in all. Anything else is refused, never guessed.`;
}

function fieldFor(component: FormSchemaComponent, key: string): FormInputField[] {
  const label = component.props.label ?? component.props.id ?? 'Field';
  const required = Boolean(component.props.required);
  const base = { key, label, required };
  switch (component.componentName) {
    case 'TextField':
    case 'PhoneField':
      return [{ ...base, type: 'string' }];
    case 'TextareaField':
      return [{ ...base, type: 'text' }];
    case 'NumberField':
    case 'MoneyField':
      return [{ ...base, type: 'number', helpText: numberHelp(component) }];
    case 'StarRatingField':
      return [{ ...base, type: 'integer' }];
    case 'DDSelectField':
      return [{ ...base, type: 'string', choices: Object.fromEntries(optionValues(component).map((o) => [o, o])) }];
    case 'DDMultiSelectField':
      return [{ ...base, type: 'string', list: true, choices: Object.fromEntries(optionValues(component).map((o) => [o, o])) }];
    case 'DDDateField':
      return [{ ...base, type: 'datetime', helpText: dateHelp(component.props.format) }];
    case 'DDDateRangeField': {
      const [start, end] = rangeLabels(label);
      const keys = rangeKeys(key);
      return [
        { key: keys.start, label: start, required, type: 'datetime', helpText: dateHelp(component.props.format) },
        { key: keys.end, label: end, required, type: 'datetime', helpText: dateHelp(component.props.format) },
      ];
    }
    case 'DDPhotoField':
      return [{ ...base, type: 'string', list: true, helpText: 'Image URLs (https), one per line item.' }];
    case 'InnerContactField': {
      const single = component.props.choice === 0;
      return [{ ...base, type: 'string', list: !single, dynamic: 'list_users.id.name', search: 'find_user.id', helpText: single ? 'One DingTalk user.' : 'One or more DingTalk users.' }];
    }
    case 'DepartmentField':
      return [{ ...base, type: 'string', list: true, dynamic: 'list_departments.id.name' }];
    case 'TableField': {
      const children = (component.children ?? [])
        .filter((child) => !NOT_FILLABLE.has(child.componentName))
        .flatMap((child) => fieldFor({ ...child, children: [] }, child.props.id ?? 'field'));
      // Zapier line items: a field with children takes no type, list or helpText of its own.
      return [{ key, label, required, children }];
    }
    default:
      return [{ ...base, type: 'string', helpText: `A ${component.componentName} field: sent to DingTalk exactly as typed.` }];
  }
}

/** The input fields for a template's form; notes explain the components that were left out. */
export function formInputFields(components: FormSchemaComponent[]): FormInputField[] {
  const fields = components.filter((c) => !NOT_FILLABLE.has(c.componentName)).flatMap((c) => fieldFor(c, fieldKeyOf(c)));
  const skipped = components.filter((c) => c.componentName === 'DDAttachment').map((c) => c.props.label ?? 'Attachment');
  if (skipped.length > 0) {
    fields.push({
      key: 'form__attachments_note',
      label: 'About Attachments',
      type: 'copy',
      helpText: `DingTalk's API cannot add attachments when starting an approval, so ${skipped.join(', ')} stays empty. The originator can add files in DingTalk afterwards.`,
    });
  }
  return fields;
}
