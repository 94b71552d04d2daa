/**
 * workflow_1_0 templates: the list (obtains-a-list-of-approval-forms-visible-to-the-specified), a form schema
 * (obtain-the-form-schema), a code by name (obtain-the-template-code) and the flow forecast
 * (approval-process-prediction) that names the originator-chosen nodes and their actorKey.
 */
import type { EndpointName } from '../../dingtalk/endpoints';
import { applicableNodes, nodeUsers } from '../flow';
import { decodeForm } from '../form';
import { failApi, numeric, ok, text, type Handler } from '../http';
import { templateByCode, userById, type FlowNode, type State, type User } from '../state';
import { schemaView, templateListItem } from '../views';

/** ProcessForecastResponseBodyResultWorkflowActivityRules */
function ruleView(state: State, node: FlowNode, originator: User, previous: string) {
  const chosen = node.actor.type === 'chosen' ? node.actor : undefined;
  const actioners = nodeUsers(state, node, originator).flatMap((id) => {
    const user = userById(state, id);
    return user ? [{ userId: user.userid, name: user.name, avatar: '' }] : [];
  });
  return {
    activityId: node.activityId,
    prevActivityId: previous,
    activityName: node.name,
    activityType: chosen ? 'target_select' : 'target_approval',
    isTargetSelect: Boolean(chosen),
    workflowActor: {
      actorKey: node.actorKey,
      actorType: node.kind,
      actorSelectionType: node.actor.type === 'manager' ? 'manager' : 'approvals',
      ...(chosen ? { actorSelectionRange: { approvals: chosen.range.map((id) => ({ workNo: id, userName: userById(state, id)?.name ?? id })) } } : {}),
      allowedMulti: chosen ? chosen.multi : actioners.length > 1,
      approvalType: 'MANUAL',
      approvalMethod: node.method === 'NONE' ? 'ONE_BY_ONE' : node.method,
      actorActivateType: node.method === 'AND' ? 'ALL' : 'ONE_BY_ONE',
      required: true,
    },
    activityActioners: actioners,
  };
}

export const templateRoutes: Partial<Record<EndpointName, Handler>> = {
  ListUserVisibleBpmsProcesses: (ctx, { query }) => {
    const maxResults = numeric(query.maxResults);
    if (maxResults === undefined || maxResults < 1 || maxResults > 100) failApi('invalidMaxResults', '获取指定用户可见的审批表单列表，分页参数非法，每页大小，最多传100。');
    const nextToken = numeric(query.nextToken) ?? failApi('invalidNextToken', '获取指定用户可见的审批表单列表，分页查询的游标不能为空');
    if (query.userId !== undefined && !userById(ctx.state, query.userId)) failApi('aflowProcessGetFailed', '获取用户可见的审批模板失败');
    const all = ctx.state.templates;
    const page = all.slice(nextToken, nextToken + (maxResults ?? 100));
    const next = nextToken + page.length;
    return ok({ result: { ...(next < all.length ? { nextToken: next } : {}), processList: page.map((t) => templateListItem(ctx.state, t)) } });
  },

  QuerySchemaByProcessCode: (ctx, { query }) => {
    const processCode = text(query.processCode) ?? failApi('invalidParameter', '参数错误，具体可能为：企业ID、审批模板code等参数错误');
    const template = templateByCode(ctx.state, processCode) ?? failApi('formNotExist', '审批表单模板不存在');
    return ok({ result: schemaView(ctx.state, template) });
  },

  GetProcessCodeByName: (ctx, { query }) => {
    const template = ctx.state.templates.find((candidate) => candidate.name === query.name) ?? failApi('process.error', '模板不存在');
    return ok({ result: { processCode: template.processCode, gmtModified: String(template.gmtModified) } });
  },

  /**
   * The flow this originator would get. Conditional nodes appear when the given form values meet them (with no
   * values, only unconditional nodes); a chosen node always appears, with isTargetSelect and its actorKey.
   */
  ProcessForecast: (ctx, { body }) => {
    const { state } = ctx;
    const template = templateByCode(state, text(body.processCode)) ?? failApi('processCodeError', '获取审批模板失败或模板已删除');
    const userId = text(body.userId) ?? failApi('invalidUserId', '用户userId为空');
    const originator = userById(state, userId) ?? failApi('userNotExist', '用户不存在');
    const deptId = numeric(body.deptId) ?? failApi('invalidParameter', '参数错误：deptId');
    if (deptId !== -1 && !originator.deptIds.includes(deptId)) failApi('invalidParameter', '参数错误：发起人不在该部门中');
    // ⚠ The doc marks formComponentValues required; whether an empty list is accepted is unverified (our client sends []).
    if (!Array.isArray(body.formComponentValues)) failApi('componentIsNull', '表单数据为空');
    const { facts } = decodeForm(state, template, body.formComponentValues, true);
    const nodes = applicableNodes(template, facts).filter((node) => node.actor.type === 'chosen' || nodeUsers(state, node, originator).length > 0);
    const rules = nodes.map((node, index) => ruleView(state, node, originator, nodes[index - 1]?.activityId ?? 'sid-startevent'));
    const ids = ['sid-startevent', ...nodes.map((node) => node.activityId)];
    return ok({
      result: {
        isForecastSuccess: true,
        processCode: template.processCode,
        userId,
        processId: template.processId,
        isStaticWorkflow: template.flow.every((node) => !node.when),
        workflowActivityRules: rules,
        workflowForecastNodes: ids.slice(0, -1).map((id, index) => ({ activityId: id, outId: `line-random-${id}-${ids[index + 1]}` })),
      },
    });
  },
};
