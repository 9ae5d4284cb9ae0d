"""Active discovery (主动发现): department data in, early warnings and their verification, community
referrals, referrals out to departments and the hidden-poverty list."""
