// @npmcli/arborist ships no types; it is only a test oracle and a benchmark reference here.
declare module '@npmcli/arborist'
