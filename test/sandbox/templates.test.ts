/**
 * Templates: the list with its numeric cursor, schemas in QuerySchemaByProcessCode's shape, codes by name, and
 * DingTalk's answers for a template that does not exist.
 */
import { getProcessCodeByName, listAllTemplates, querySchemaByProcessCode } from '../../dingtalk/workflow';
import { codes, dingTalkError, raw, sandboxSuite, tokenFor } from './helpers';

const start = sandboxSuite();

test('the list pages with a numeric nextToken, which disappears on the last page', async () => {
  const { sandbox, transport } = await start();
  await expect(listAllTemplates(transport)).resolves.toMatchObject({ items: Object.values(codes).map((processCode) => ({ processCode })), complete: true, pages: 1 });
  const headers = { 'x-acs-dingtalk-access-token': await tokenFor(sandbox) };
  const page = (nextToken: number) => raw.get(`${sandbox.url}/v1.0/workflow/processes/userVisibilities/templates`, { params: { maxResults: 3, nextToken }, headers });
  expect((await page(0)).data.result).toMatchObject({ nextToken: 3, processList: [{}, {}, {}] });
  expect((await page(3)).data.result).toEqual({ processList: [expect.objectContaining({ processCode: codes.purchase })] });
  expect((await raw.get(`${sandbox.url}/v1.0/workflow/processes/userVisibilities/templates`, { params: { maxResults: 101, nextToken: 0 }, headers })).data).toMatchObject({ code: 'invalidMaxResults' });
});

test('a schema lists its components, a table with its children; options as JSON strings or plain text', async () => {
  const { transport } = await start();
  const schema = await querySchemaByProcessCode(transport, codes.expense);
  expect(schema).toMatchObject({ name: 'Expense Claim 費用報銷', status: 'PUBLISHED' });
  const table = schema.components.find((component) => component.componentName === 'TableField');
  expect(table?.children?.map((child) => child.props.label)).toEqual(['Description 說明', 'Receipt Date 單據日期', 'Amount (HKD) 金額']);
  expect(schema.components.find((c) => c.componentName === 'DDSelectField')?.props.options?.[0]).toBe('{"value":"Meals","key":"option_0"}');
  const travel = await querySchemaByProcessCode(transport, codes.travel);
  expect(travel.components.find((c) => c.componentName === 'DDSelectField')?.props.options).toContain('Myanmar 緬甸');
});

test('an unknown template: formNotExist for its schema, "not found" for its name', async () => {
  const { transport } = await start();
  expect((await dingTalkError(querySchemaByProcessCode(transport, 'PROC-NOPE'))).problem.code).toBe('formNotExist');
  await expect(getProcessCodeByName(transport, 'Leave 請假')).resolves.toBeUndefined();
  await expect(getProcessCodeByName(transport, 'New Hire Onboarding 新員工入職')).resolves.toBe(codes.onboarding);
});
