import sys

from nlu.embeddings.cli import main

sys.exit(main())
