/**
 * workflow_1_0 response models, minimal and loose: only the fields this integration reads, named as in
 * `@alicloud/dingtalk` 2.2.27 (`static names()`); anything else DingTalk adds passes through untouched.
 */
import { z } from 'zod';

const optionalString = z.string().nullish();
const stringList = z.array(z.string()).nullish();

/** StartProcessInstanceResponseBody */
export const StartProcessInstanceResponseBody = z.looseObject({ instanceId: z.string().min(1) });

/**
 * A form value is a string, JSON inside for lists (the SDK types it string); DingTalk's legacy examples also show
 * real arrays (startprocessinstance-officialdoc-legacy-request-1). One of those is kept as its JSON text, so a poll
 * never fails on it and the form parser reads it like the string form.
 */
const jsonText = z.unknown().transform((value): string | null | undefined =>
  value === null || value === undefined ? value : typeof value === 'object' ? JSON.stringify(value) : String(value),
).optional();

/** GetProcessInstanceResponseBodyResultFormComponentValues */
export const FormComponentValue = z.looseObject({
  id: optionalString,
  name: optionalString,
  value: jsonText,
  extValue: jsonText,
  componentType: optionalString,
  bizAlias: optionalString,
});

/** GetProcessInstanceResponseBodyResultOperationRecordsAttachments */
export const OperationRecordAttachment = z.looseObject({
  fileId: optionalString,
  fileName: optionalString,
  fileSize: optionalString,
  fileType: optionalString,
  spaceId: optionalString,
});

/** GetProcessInstanceResponseBodyResultOperationRecords */
export const OperationRecord = z.looseObject({
  userId: optionalString,
  date: optionalString,
  type: optionalString,
  result: optionalString,
  remark: optionalString,
  showName: optionalString,
  activityId: optionalString,
  attachments: z.array(OperationRecordAttachment).nullish(),
  images: stringList,
  ccUserIds: stringList,
});

/** GetProcessInstanceResponseBodyResultTasks */
export const Task = z.looseObject({
  taskId: z.number(),
  userId: optionalString,
  status: optionalString,
  result: optionalString,
  createTime: optionalString,
  finishTime: optionalString,
  activityId: optionalString,
  pcUrl: optionalString,
  mobileUrl: optionalString,
});

/** GetProcessInstanceResponseBodyResult */
export const ProcessInstance = z.looseObject({
  title: optionalString,
  businessId: optionalString,
  originatorUserId: optionalString,
  originatorDeptId: optionalString,
  originatorDeptName: optionalString,
  createTime: optionalString,
  finishTime: optionalString,
  status: z.string(),
  result: optionalString,
  bizAction: optionalString,
  mainProcessInstanceId: optionalString,
  attachedProcessInstanceIds: stringList,
  approverUserIds: stringList,
  ccUserIds: stringList,
  formComponentValues: z.array(FormComponentValue).nullish(),
  operationRecords: z.array(OperationRecord).nullish(),
  tasks: z.array(Task).nullish(),
});

/** GetProcessInstanceResponseBody */
export const GetProcessInstanceResponseBody = z.looseObject({ result: ProcessInstance });

/** GetProcessInstanceResponseBody where a tolerated "not found" error body (no `result`) is a miss. */
export const FindProcessInstanceResponseBody = z.looseObject({ result: ProcessInstance.nullish() });

/** ListProcessInstanceIdsResponseBody */
export const ListProcessInstanceIdsResponseBody = z.looseObject({
  result: z.looseObject({
    list: z.array(z.string()).nullish(),
    nextToken: z.union([z.string(), z.number()]).nullish(),
  }),
});

/** Add/Execute/Terminate …ResponseBody: `{result: boolean, success: boolean}` */
export const BooleanResultResponseBody = z.looseObject({ result: z.boolean().nullish(), success: z.boolean().nullish() });

/** RedirectWorkflowTaskResponseBody: `{result: boolean}` only. */
export const RedirectWorkflowTaskResponseBody = z.looseObject({ result: z.boolean().nullish() });

/** QuerySchemaByProcessCodeResponseBodyResultSchemaContentItemsChildrenProps */
const ChildProps = z.looseObject({
  id: optionalString,
  label: optionalString,
  bizAlias: optionalString,
  required: z.boolean().nullish(),
  options: stringList,
});

/** QuerySchemaByProcessCodeResponseBodyResultSchemaContentItemsProps */
const ComponentProps = z.looseObject({
  id: optionalString,
  label: optionalString,
  bizAlias: optionalString,
  required: z.boolean().nullish(),
  options: stringList,
  objOptions: z.array(z.looseObject({ value: optionalString })).nullish(),
  format: optionalString,
  unit: optionalString,
  choice: z.number().nullish(),
  placeholder: optionalString,
  disabled: z.boolean().nullish(),
  hidden: z.boolean().nullish(),
});

export const FormComponentChild = z.looseObject({ componentName: z.string(), props: ChildProps });
export const FormComponent = z.looseObject({
  componentName: z.string(),
  props: ComponentProps,
  children: z.array(FormComponentChild).nullish(),
});

/** QuerySchemaByProcessCodeResponseBody */
export const QuerySchemaByProcessCodeResponseBody = z.looseObject({
  result: z.looseObject({
    name: optionalString,
    status: optionalString,
    schemaContent: z.looseObject({ title: optionalString, items: z.array(FormComponent).nullish() }).nullish(),
  }),
});

/** ListUserVisibleBpmsProcessesResponseBody */
export const ListUserVisibleBpmsProcessesResponseBody = z.looseObject({
  result: z.looseObject({
    nextToken: z.union([z.number(), z.string()]).nullish(),
    processList: z
      .array(
        z.looseObject({
          name: z.string(),
          processCode: z.string(),
          iconUrl: optionalString,
          url: optionalString,
          dirId: optionalString,
          dirName: optionalString,
        }),
      )
      .nullish(),
  }),
});

/** GetProcessCodeByNameResponseBody */
export const GetProcessCodeByNameResponseBody = z.looseObject({
  result: z.looseObject({ processCode: optionalString, gmtModified: optionalString }).nullish(),
});

/** GrantProcessInstanceForDownloadFileResponseBody */
export const GrantProcessInstanceForDownloadFileResponseBody = z.looseObject({
  result: z.looseObject({
    downloadUri: z.string().min(1),
    fileId: optionalString,
    spaceId: z.number().nullish(),
  }),
});

/** ProcessForecastResponseBodyResult… */
export const ProcessForecastResponseBody = z.looseObject({
  result: z.looseObject({
    isForecastSuccess: z.boolean().nullish(),
    isStaticWorkflow: z.boolean().nullish(),
    workflowActivityRules: z
      .array(
        z.looseObject({
          activityId: optionalString,
          activityName: optionalString,
          activityType: optionalString,
          isTargetSelect: z.boolean().nullish(),
          workflowActor: z
            .looseObject({
              actorKey: optionalString,
              actorType: optionalString,
              actorSelectionType: optionalString,
              allowedMulti: z.boolean().nullish(),
              approvalMethod: optionalString,
              required: z.boolean().nullish(),
            })
            .nullish(),
        }),
      )
      .nullish(),
  }),
});
