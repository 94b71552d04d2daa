/**
 * find_template through createAppTester: GetProcessCodeByName's exact request, the record returned, and
 * DingTalk's 400 "process.error" (模板不存在) as a miss, while other errors stay errors.
 */
import type { Bundle, ZObject } from 'zapier-platform-core';
import App from '../../index';
import { api, appTester, authData, failure, meta } from '../helpers';

const PATH = '/v1.0/workflow/processCentres/schemaNames/processCodes';
const tester = appTester as unknown as { zcacheTestObj: Record<string, unknown> };
const findTemplate = (inputData: Record<string, unknown>) => {
  const operation = App.searches!.find_template!.operation as { perform: (z: ZObject, bundle: Bundle) => Promise<unknown> };
  return appTester(operation.perform, { authData, inputData, meta }) as Promise<unknown[]>;
};

/** Answers GetProcessCodeByName and records the query string DingTalk received. */
function answer(status: number, body: Record<string, unknown>) {
  const queries: Record<string, string>[] = [];
  api()
    .get(PATH)
    .query((query) => {
      queries.push(query as Record<string, string>);
      return true;
    })
    .reply(status, body);
  return queries;
}

beforeEach(() => {
  tester.zcacheTestObj = {};
});

describe('find_template', () => {
  test('GETs by exact name (token in the header, not the query) and returns id, code and name', async () => {
    const queries = answer(200, { result: { processCode: 'PROC-FAKE-EXPENSE-0001', gmtModified: '2026-09-15T07:30Z' } });
    await expect(findTemplate({ name: ' Expense Claim 費用報銷 ' })).resolves.toEqual([
      { id: 'PROC-FAKE-EXPENSE-0001', code: 'PROC-FAKE-EXPENSE-0001', name: 'Expense Claim 費用報銷' },
    ]);
    expect(queries).toEqual([{ name: 'Expense Claim 費用報銷' }]);
    // Approval records can then name the template without a metered call.
    expect(JSON.parse(String(tester.zcacheTestObj['dingtalk:template-name:v1:PROC-FAKE-EXPENSE-0001']))).toBe('Expense Claim 費用報銷');
  });

  test('DingTalk\'s 400 process.error (no such template) is a miss: []', async () => {
    answer(400, { code: 'process.error', message: '模板不存在', requestid: 'fake-req-0001' });
    await expect(findTemplate({ name: 'No Such Template' })).resolves.toEqual([]);
  });

  test('an empty result is a miss too', async () => {
    answer(200, { result: {} });
    await expect(findTemplate({ name: 'No Such Template' })).resolves.toEqual([]);
  });

  test('any other 400 is still an error', async () => {
    answer(400, { code: 'permission.error', message: '没有访问权限', requestid: 'fake-req-0002' });
    const error = await failure(findTemplate({ name: 'Expense Claim' }));
    expect(error.message).toMatch(/permission\.error/);
  });

  test('a blank name is refused before any call', async () => {
    const error = await failure(findTemplate({ name: '  ' }));
    expect(JSON.parse(error.message)).toEqual({ message: 'Template Name is required.', code: 'InvalidInput', status: 400 });
  });
});
