Bxj
locationext_weights.binp