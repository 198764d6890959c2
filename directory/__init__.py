"""Directory sign-in: a workspace's users whose password lives in LDAP or Active Directory
(workspaces.AuthSource), checked by binding as them (python-ldap, libldap underneath)."""
