"""One dock per file: setup, losses, samples, data, log. (The latent explorer and the runs/comparison
docks come with later issues; ``gui.main_window.MainWindow`` lists the docks in one place.)"""
