"""The compatibility REST routes (public: drivers use them) and their request bodies."""
