import { describe, expect, it } from 'vitest';
import { choosesPassphrase, isInvitationCode, joinProblem, toJoinForm, type JoinInput } from './join';

const STRONG = 'kopi pagi di teras rumah';

function input(over: Partial<JoinInput> = {}): JoinInput {
  return {
    serverUrl: 'https://sync.rumahteduh.example',
    username: 'konselor.budi',
    passphrase: STRONG,
    confirm: STRONG,
    invitation: 'ABCD-EFGH',
    ...over,
  };
}

describe('join form', () => {
  it('accepts a complete form', () => {
    expect(joinProblem(input(), 'firstRun')).toBeNull();
    expect(joinProblem(input({ serverUrl: 'http://192.168.1.10:8470/' }), 'existing')).toBeNull();
  });

  it.each([
    ['', 'join.problem.server'],
    ['sync.rumahteduh.example', 'join.problem.server'],
    ['ftp://sync.rumahteduh.example', 'join.problem.server'],
    ['https://', 'join.problem.server'],
    ['https://sync example', 'join.problem.server'],
  ])('refuses the server address %j', (serverUrl, problem) => {
    expect(joinProblem(input({ serverUrl }), 'firstRun')).toBe(problem);
  });

  it.each(['', '   ', 'budi santoso', 'a'.repeat(65)])('refuses the username %j', (username) => {
    expect(joinProblem(input({ username }), 'firstRun')).toBe('join.problem.username');
  });

  it('needs a passphrase', () => {
    expect(joinProblem(input({ passphrase: '' }), 'firstRun')).toBe('join.problem.passphrase');
  });

  it('a new member chooses a strong passphrase and repeats it', () => {
    expect(choosesPassphrase(input(), 'firstRun')).toBe(true);
    expect(joinProblem(input({ passphrase: 'pendek', confirm: 'pendek' }), 'firstRun')).toBe('setup.tooWeak');
    expect(joinProblem(input({ confirm: 'kopi sore di teras rumah' }), 'firstRun')).toBe('setup.mismatch');
  });

  it('a further computer of hers chooses its own passphrase too: none is shared', () => {
    const further = input({ invitation: 'KODE-PERANGKAT', passphrase: 'lama', confirm: 'lama' });
    expect(choosesPassphrase(further, 'firstRun')).toBe(true);
    expect(joinProblem(further, 'firstRun')).toBe('setup.tooWeak');
  });

  it('every device needs an invitation to join', () => {
    expect(joinProblem(input({ invitation: ' ' }), 'existing')).toBe('join.problem.invitation');
    expect(joinProblem(input({ invitation: '' }), 'firstRun')).toBe('join.problem.invitation');
    expect(choosesPassphrase(input(), 'existing')).toBe(false);
  });

  it('sends trimmed values and no empty invitation', () => {
    expect(toJoinForm(input({ serverUrl: ' https://s.example/ ', username: ' budi ', invitation: '  ' }))).toEqual({
      server_url: 'https://s.example',
      username: 'budi',
      passphrase: STRONG,
      invitation: null,
    });
  });

  it('knows a supervisor\'s invitation code, which names the username', () => {
    const code = 'abcde-fghjk-mnpqr-stvwx-yz012-3';
    expect(isInvitationCode(code)).toBe(true);
    expect(isInvitationCode('ABCDE-FGHJK-MNPQR-STVWX')).toBe(false);
    expect(isInvitationCode('ABCDE-FGHJK-MNPQR-STVWX-YZ012-U')).toBe(false);
    expect(joinProblem(input({ username: '', invitation: code }), 'firstRun')).toBeNull();
    expect(joinProblem(input({ username: '', invitation: 'ABCD-EFGH' }), 'firstRun')).toBe('join.problem.username');
  });
});
