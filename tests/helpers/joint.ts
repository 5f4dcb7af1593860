import type { TestApp } from './app.js';

/** GraphQL documents and small steps shared by the joint-work tests. */
export const Q = {
  createProject: `mutation($input: CreateResearchProjectInput!) { createResearchProject(input: $input) { id title status } }`,
  move: `mutation($input: MoveResearchProjectInput!) { moveResearchProject(input: $input) { status } }`,
  invite: `mutation($input: InviteCommitteesInput!) { inviteToResearch(input: $input) { id status committee { code } } }`,
  inviteTopic: `mutation($input: InviteCommitteesInput!) { inviteToTopic(input: $input) { id status committee { code } } }`,
  respond: `mutation($id: ID!, $accept: Boolean!, $reason: String) { respondToInvitation(id: $id, accept: $accept, reason: $reason) { status } }`,
  team: `mutation($projectId: ID!, $members: [TeamMemberInput!]!) { setResearchTeam(projectId: $projectId, members: $members) { displayName teamRole } }`,
  contribute: `mutation($projectId: ID!, $input: ContributionInput!) { submitResearchContribution(projectId: $projectId, input: $input) { id title } }`,
  createTopic: `mutation($input: CreateTopicInput!) { createConsultationTopic(input: $input) { id title stage } }`,
  moveTopic: `mutation($input: MoveTopicInput!) { moveConsultationTopic(input: $input) { stage } }`,
  addSuggestion: `mutation($input: AddSuggestionInput!) { addConsultationSuggestion(input: $input) { id number status } }`,
  assign: `mutation($input: AssignSuggestionInput!) { assignSuggestion(input: $input) { id status deadline departmentUnit } }`,
  feedback: `mutation($input: SuggestionFeedbackInput!) { fileSuggestionFeedback(input: $input) { status } }`,
};

export const projectInput = (title: string) => ({
  title,
  background: '围绕县域经济高质量发展开展联动调研。',
  goals: '形成综合调研报告并报送党委政府。',
  startDate: '2026-03-01',
  endDate: '2026-10-31',
});

export function ok<T = any>(r: { body: { data?: any; errors?: unknown[] } }, field: string): T {
  if (r.body.errors) throw new Error(`${field}: ${JSON.stringify(r.body.errors)}`);
  return r.body.data[field];
}

/** A project led by `lead`, moved to INVITING, with the given committees invited; returns ids. */
export async function projectWithInvitations(app: TestApp, lead: string, title: string, codes: string[]) {
  const call = app.as(lead);
  const project = ok(await call(Q.createProject, { input: projectInput(title) }), 'createResearchProject');
  ok(await call(Q.move, { input: { id: project.id, to: 'INVITING' } }), 'moveResearchProject');
  const invited = ok<{ id: string; committee: { code: string } }[]>(await call(Q.invite, { input: { itemId: project.id, committeeCodes: codes } }), 'inviteToResearch');
  const invitation = Object.fromEntries(invited.map((i) => [i.committee.code, i.id]));
  return { id: project.id as string, invitation };
}

export async function answer(app: TestApp, login: string, invitationId: string, accept: boolean, reason?: string) {
  return ok(await app.as(login)(Q.respond, { id: invitationId, accept, reason }), 'respondToInvitation');
}

export async function topicOf(app: TestApp, login: string, title: string, year = 2026) {
  return ok(await app.as(login)(Q.createTopic, { input: { title, description: `${title}的说明`, source: 'CPPCC', form: 'THEMATIC', year } }), 'createConsultationTopic');
}

export const counts = async (app: TestApp, tables: string[]) =>
  Object.fromEntries(await Promise.all(tables.map(async (t) => [t, (await app.db.query(`select count(*)::int n from ${t}`)).rows[0].n])));
